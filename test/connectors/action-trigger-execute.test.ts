/**
 * "When an action is performed" run end to end by the independent swagger-client the way Power Automate runs a
 * webhook trigger (trigger-harness.ts): subscribe through the connector with a loopback callback URL (script.csx
 * under Mono adds the Location), perform the action through the connector's PerformUnboundAction, the callback
 * receives one event with the input parameters that matches the declared notification schemas (dynamic and
 * typed), and DELETE on the returned Location removes the registration, after which a second call of the action
 * delivers nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsdl } from '../../client/metadata/csdl';
import { generateConnectors } from '../../connectors';
import { ACTION_SUBSCRIBE_OPERATION, ACTION_TRIGGER_PATH, subscriptionLocation } from '../../connectors/triggers';
import { connect, notificationValidator, subscription, useEmulatorAndReceiver } from './trigger-harness';

const MODEL_FILE = path.join(__dirname, '..', '..', 'emulator', 'model', 'dataverse.xml');
const model = parseCsdl(fs.readFileSync(MODEL_FILE, 'utf8'));

describe('action trigger run by swagger-client through script.csx against the emulator', () => {
  const fx = useEmulatorAndReceiver();

  test('dynamic: subscribe to RevokeAccess, perform it, the event arrives; DELETE on Location unsubscribes', async () => {
    const { emulator, receiver } = fx;
    const pkg = generateConnectors(model, { service: 'dataverse', style: 'dynamic' }).connectors[0];
    const conn = await connect(pkg, emulator);
    try {
      const doc = pkg.swagger;
      const validate = notificationValidator(doc, ACTION_TRIGGER_PATH);
      const subscribed = await conn.run(ACTION_SUBSCRIBE_OPERATION, {
        subscriptionRequest: subscription(doc, ACTION_TRIGGER_PATH, receiver.url, { entityname: 'none', sdkmessagename: 'RevokeAccess' }),
      });
      expect(subscribed.status).toBe(204);
      const location = subscribed.headers.location;
      expect(location).toBe(subscriptionLocation(subscribed.headers['odata-entityid'], `${conn.connectorBase}${ACTION_TRIGGER_PATH}`));
      expect(conn.proxy.executions.map((e) => [e.operationId, e.outcome])).toEqual([[ACTION_SUBSCRIBE_OPERATION, 'ok']]);
      const rows = [...emulator.service.store.rows('callbackregistration').values()];
      expect(rows).toEqual([expect.objectContaining({ version: 3, scope: 4, entityname: 'none', sdkmessagename: 'RevokeAccess', url: receiver.url })]);
      expect(location.endsWith(`(${rows[0].callbackregistrationid})`)).toBe(true);

      const account = await conn.run('AddRow', { entityset: 'accounts', item: { name: 'Shared with someone' } });
      const accountid: string = account.body.accountid;
      const me = String([...emulator.service.store.rows('systemuser').keys()][0]);
      const parameters = {
        Target: { '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid },
        Revokee: { '@odata.type': 'Microsoft.Dynamics.CRM.systemuser', systemuserid: me },
      };
      const performed = await conn.run('PerformUnboundAction', { actionName: 'RevokeAccess', parameters });
      expect(performed.status).toBe(204);
      await emulator.webhooks.idle();
      expect(receiver.received).toHaveLength(1);
      const [{ headers, body }] = receiver.received;
      expect(body).toMatchObject({
        MessageName: 'RevokeAccess',
        PrimaryEntityName: 'none',
        PrimaryEntityId: null,
        InputParameters: {
          Target: { '@odata.type': '#Microsoft.Dynamics.CRM.account', accountid },
          Revokee: { '@odata.type': '#Microsoft.Dynamics.CRM.systemuser', systemuserid: me },
        },
      });
      expect(headers['x-ms-dynamics-request-name']).toBe('RevokeAccess');
      expect({ valid: validate(body), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
      // The typed style declares the input parameters; the same event matches its schema too.
      const typedDoc = generateConnectors(model, { service: 'dataverse', style: 'typed', tables: ['accounts'] }).connectors[0].swagger;
      const validateTyped = notificationValidator(typedDoc, ACTION_TRIGGER_PATH);
      expect({ valid: validateTyped(body), errors: validateTyped.errors ?? null }).toEqual({ valid: true, errors: null });

      const removed = await conn.unsubscribe(location);
      expect(removed.status).toBe(204);
      expect(emulator.service.store.rows('callbackregistration').size).toBe(0);
      expect((await conn.run('PerformUnboundAction', { actionName: 'RevokeAccess', parameters })).status).toBe(204);
      await emulator.webhooks.idle();
      expect(receiver.received).toHaveLength(1);
    } finally {
      await conn.proxy.stop();
    }
  }, 120_000);
});
