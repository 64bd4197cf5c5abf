/**
 * The definition of "When an action is performed" in the generated Dataverse connectors: its subscribe operation
 * and body (version 3, notification URL, scope, table with `none`, the declared actions as an enum), its own
 * path-level notification content, the row trigger's unsubscribe operation shared rather than duplicated, the
 * Location script part, the RUNBOOK lines, and when it is left out (no actions, or no row trigger). Documents with
 * it pass swagger-parser and the project's validator. The typed style types the input parameters when they are few.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV2 } from 'openapi-types';
import { parseCsdl } from '../../client/metadata/csdl';
import type { CsdlModel } from '../../client/metadata/model';
import { generateConnectors } from '../../connectors';
import { scriptPartsOf } from '../../connectors/script';
import { ACTION_SUBSCRIBE_OPERATION, ACTION_TRIGGER_PATH, CALLBACK_PATH, LOCATION_METHOD, SUBSCRIBE_OPERATION, UNSUBSCRIBE_PATH } from '../../connectors/triggers';
import { validateConnector } from '../../connectors/validate';
import { METADATA_FIXTURES } from '../helpers/shared';
import { triggerAt } from './trigger-harness';

const model: CsdlModel = parseCsdl(fs.readFileSync(path.join(__dirname, '..', '..', 'emulator', 'model', 'dataverse.xml'), 'utf8'));
const dynamic = (m: CsdlModel = model) => generateConnectors(m, { service: 'dataverse', style: 'dynamic' });
const typed = (tables: string[], m: CsdlModel = model) => generateConnectors(m, { service: 'dataverse', style: 'typed', tables });
const deletes = (doc: OpenAPIV2.Document) => Object.entries(doc.paths).filter(([p, item]) => p.startsWith(CALLBACK_PATH) && (item as any).delete);

describe('action trigger definition', () => {
  test('dynamic: subscribe operation, body, notification content, shared unsubscribe, script and runbook', async () => {
    const { connectors: [pkg], warnings } = dynamic();
    const doc = pkg.swagger;
    const { subscribe, body, notification } = triggerAt(doc, ACTION_TRIGGER_PATH);
    expect(subscribe).toMatchObject({ operationId: ACTION_SUBSCRIBE_OPERATION, 'x-ms-trigger': 'single', summary: 'When an action is performed' });
    expect(Object.keys(subscribe.responses).sort()).toEqual(['201', '204', 'default']);
    expect(body.required.sort()).toEqual(['entityname', 'scope', 'sdkmessagename', 'url', 'version']);
    expect(body.properties.version).toMatchObject({ type: 'integer', default: 3, 'x-ms-visibility': 'internal' });
    expect(body.properties.scope).toMatchObject({ type: 'integer', default: 4, 'x-ms-visibility': 'internal' });
    expect(body.properties.url).toMatchObject({ type: 'string', 'x-ms-notification-url': true, 'x-ms-visibility': 'internal' });
    expect(body.properties.entityname).toMatchObject({ 'x-ms-summary': 'Table name', 'x-ms-visibility': 'important', default: 'none' });
    expect(body.properties.entityname.enum).toBeUndefined();
    // The names PerformBoundAction and PerformUnboundAction offer, together.
    const offered = (id: string) => {
      const op = Object.values(doc.paths).map((item: any) => item.post).find((o: any) => o?.operationId === id);
      return op.parameters.find((p: any) => p.name === 'actionName').enum as string[];
    };
    expect(body.properties.sdkmessagename).toMatchObject({ 'x-ms-summary': 'Action name', 'x-ms-visibility': 'important' });
    expect(body.properties.sdkmessagename.enum).toEqual([...new Set([...offered('PerformBoundAction'), ...offered('PerformUnboundAction')])].sort());
    expect(body.properties.sdkmessagename.enum).toEqual(['Merge', 'RevokeAccess', 'SendEmail']);
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['name', 'runas']));
    expect(Object.keys(notification.properties)).toEqual([
      'MessageName', 'PrimaryEntityName', 'PrimaryEntityId', 'InputParameters', 'OutputParameters',
      'UserId', 'OrganizationId', 'CorrelationId', 'RequestId', 'OperationCreatedOn',
    ]);
    expect(notification.properties.InputParameters).toMatchObject({ type: 'object' });
    expect(notification.properties.InputParameters.properties).toBeUndefined();
    // Each trigger keeps its own notification; one DELETE unsubscribes both.
    expect((doc.paths[CALLBACK_PATH] as any)['x-ms-notification-content'].schema.properties.SdkMessage).toBeDefined();
    expect(deletes(doc).map(([p]) => p)).toEqual([UNSUBSCRIBE_PATH]);
    const [part] = scriptPartsOf(doc).filter((p) => p.method === LOCATION_METHOD);
    expect(part.operationIds).toEqual([SUBSCRIBE_OPERATION, ACTION_SUBSCRIBE_OPERATION]);
    expect(pkg.apiProperties.properties.scriptOperations).toContain(ACTION_SUBSCRIBE_OPERATION);
    expect(pkg.script!.text).toContain(`case "${ACTION_SUBSCRIBE_OPERATION}":`);
    expect(pkg.runbook).toContain(`POST /api/data/v9.2${ACTION_TRIGGER_PATH}`);
    expect(pkg.runbook).toMatch(/no \*\*Catalog\*\* and \*\*Category\*\* headers/);
    expect(warnings.filter((w) => /action trigger/.test(w.message))).toEqual([]);
    await SwaggerParser.validate(JSON.parse(JSON.stringify(doc)));
    expect((await validateConnector({ swagger: doc })).errors).toEqual([]);
  });

  test('typed: the tables with bound actions and none for the unbound ones; the actions of those tables', async () => {
    const [withEmail] = typed(['accounts', 'emails']).connectors;
    const { body } = triggerAt(withEmail.swagger, ACTION_TRIGGER_PATH);
    expect(body.properties.entityname).toMatchObject({ enum: ['none', 'email'], default: 'none' });
    expect(body.properties.sdkmessagename.enum).toEqual(['Merge', 'RevokeAccess', 'SendEmail']);
    // Input parameters typed from the declared ones of the offered actions (binding parameters left out).
    const inputs = triggerAt(withEmail.swagger, ACTION_TRIGGER_PATH).notification.properties.InputParameters.properties;
    expect(Object.keys(inputs).sort()).toEqual(['IssueSend', 'PerformParentingChecks', 'Revokee', 'Subordinate', 'Target', 'TrackingToken', 'UpdateContent']);
    expect(inputs.Target).toMatchObject({ type: 'object' });
    expect(inputs.IssueSend).toMatchObject({ type: 'boolean' });
    expect(inputs.TrackingToken).toMatchObject({ type: 'string' });
    expect((await validateConnector({ swagger: withEmail.swagger })).errors).toEqual([]);
    await SwaggerParser.validate(JSON.parse(JSON.stringify(withEmail.swagger)));
    const [accountsOnly] = typed(['accounts']).connectors;
    const only = triggerAt(accountsOnly.swagger, ACTION_TRIGGER_PATH).body;
    expect(only.properties.entityname.enum).toEqual(['none']);
    expect(only.properties.sdkmessagename.enum).toEqual(['Merge', 'RevokeAccess']);
  });

  test('the crm v8.2 metadata: every bound and unbound action offered, valid; too many parameters to type', async () => {
    const crm = parseCsdl(fs.readFileSync(`${METADATA_FIXTURES}/dataverse/crm-v8.2-schema.xml`, 'utf8'));
    const { connectors: [pkg] } = dynamic(crm);
    const names: string[] = triggerAt(pkg.swagger, ACTION_TRIGGER_PATH).body.properties.sdkmessagename.enum;
    expect(names).toEqual(expect.arrayContaining(['WinOpportunity', 'QualifyLead']));
    expect(new Set(names).size).toBe(names.length);
    await SwaggerParser.validate(JSON.parse(JSON.stringify(pkg.swagger)));
    const [leads] = typed(['leads'], crm).connectors;
    expect(triggerAt(leads.swagger, ACTION_TRIGGER_PATH).notification.properties.InputParameters.properties).toBeUndefined();
  });

  test('left out when the metadata declares no action, or when the row trigger is', () => {
    const { connectors: [pkg] } = dynamic({ ...model, actions: [] });
    expect(pkg.swagger.paths[ACTION_TRIGGER_PATH]).toBeUndefined();
    expect(scriptPartsOf(pkg.swagger).find((p) => p.method === LOCATION_METHOD)!.operationIds).toEqual([SUBSCRIBE_OPERATION]);
    expect(pkg.runbook).toMatch(/Not generated: \*\*When an action is performed\*\*/);
    const own = typed(['callbackregistrations']);
    expect(own.connectors[0].swagger.paths[ACTION_TRIGGER_PATH]).toBeUndefined();
  });
});
