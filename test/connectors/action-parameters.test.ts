/**
 * Design-time action parameters of the dynamic connector. Generation: both Perform…Action bodies point at
 * GetActionParameters through x-ms-dynamic-schema / x-ms-dynamic-properties, the open object stays where the name
 * list or the script budget is capped, and overloads of a bound name are merged. Run for real on the Dataverse v8.2
 * metadata: the generated script.csx is compiled with Mono (test/helpers/csx-runner.ts) and called through
 * swagger-client the way the designer does; every action's answer is checked against the parameters the test reads
 * from the CSDL itself, and actions are then performed against an emulator serving the same metadata with bodies
 * shaped by those answers (the emulator refuses undeclared and missing required parameters).
 *
 * Needs Mono (scripts/ci/install-mono.sh); without it the Mono suite fails and says so.
 */
import * as fs from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV2 } from 'openapi-types';
import { parseCsdl } from '../../client/metadata/csdl';
import type { CsdlModel, Operation, Parameter } from '../../client/metadata/model';
import { generateConnectors } from '../../connectors';
import { actionParameterSpecs } from '../../connectors/dynamic/action-parameter-spec';
import { ACTION_PARAMETERS_PATH, ACTION_SCHEMA_VALUE_PATH, GET_ACTION_PARAMETERS, MAX_ACTION_SCRIPT_BYTES } from '../../connectors/dynamic/action-parameters';
import { performableActions } from '../../connectors/dynamic/actions';
import { MAX_SCRIPT_BYTES } from '../../connectors/script';
import { validateConnector } from '../../connectors/validate';
import { METADATA_FIXTURES } from '../helpers/shared';
import { monoAvailable, useScriptedConnection } from './script-harness';

const CRM_FILE = `${METADATA_FIXTURES}/dataverse/crm-v8.2-schema.xml`;
const EMULATOR_MODEL = `${__dirname}/../../emulator/model/dataverse.xml`;
const NS = 'Microsoft.Dynamics.CRM';

const dynamic = (model: CsdlModel) => {
  const result = generateConnectors(model, { service: 'dataverse', style: 'dynamic' });
  return { pkg: result.connectors[0], warnings: result.warnings };
};

function operation(doc: OpenAPIV2.Document, id: string): { path: string; op: Record<string, any> } {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const op of Object.values(item as Record<string, any>)) if (op?.operationId === id) return { path, op };
  }
  throw new Error(`no operation ${id}`);
}

const bodyOf = (doc: OpenAPIV2.Document, id: string) => operation(doc, id).op.parameters.find((p: any) => p.in === 'body');

/** The emulator's model with extra declarations put before its WhoAmI function and imports beside its own. */
function emulatorModelWith(declarations: string, imports = ''): CsdlModel {
  const base = fs.readFileSync(EMULATOR_MODEL, 'utf8');
  return parseCsdl(
    base
      .replace('<Function Name="WhoAmI">', `${declarations}<Function Name="WhoAmI">`)
      .replace('<FunctionImport Name="WhoAmI"', `${imports}<FunctionImport Name="WhoAmI"`),
  );
}

describe('dynamic connector: action parameters in the generated document', () => {
  const crm = parseCsdl(fs.readFileSync(CRM_FILE, 'utf8'));

  test.each([
    ['crm v8.2', () => crm],
    ['emulator model', () => parseCsdl(fs.readFileSync(EMULATOR_MODEL, 'utf8'))],
  ])('%s: both action bodies take their fields from GetActionParameters, answered by script.csx', async (_name, load) => {
    const { pkg, warnings } = dynamic(load());
    expect(warnings).toEqual([]);
    for (const [id, binding] of [['PerformBoundAction', 'bound'], ['PerformUnboundAction', 'unbound']] as const) {
      const schema = bodyOf(pkg.swagger, id).schema;
      expect(schema.type).toBe('object');
      expect(schema['x-ms-dynamic-schema']).toEqual({
        operationId: GET_ACTION_PARAMETERS,
        parameters: { actionName: { parameter: 'actionName' }, binding },
        'value-path': ACTION_SCHEMA_VALUE_PATH,
      });
      expect(schema['x-ms-dynamic-properties']).toEqual({
        operationId: GET_ACTION_PARAMETERS,
        parameters: { actionName: { parameterReference: 'actionName' }, binding: { value: binding } },
        itemValuePath: ACTION_SCHEMA_VALUE_PATH,
      });
      // The parameter it names exists on the operation.
      expect(operation(pkg.swagger, id).op.parameters.some((p: any) => p.name === 'actionName')).toBe(true);
    }
    const { path, op } = operation(pkg.swagger, GET_ACTION_PARAMETERS);
    expect(path).toBe(ACTION_PARAMETERS_PATH);
    expect(op['x-ms-visibility']).toBe('internal');
    expect(pkg.apiProperties.properties.scriptOperations).toContain(GET_ACTION_PARAMETERS);
    expect(pkg.script!.text).toContain(`case "${GET_ACTION_PARAMETERS}":`);
    await expect(SwaggerParser.validate(JSON.parse(JSON.stringify(pkg.swagger)))).resolves.toBeTruthy();
    const report = await validateConnector({ swagger: pkg.swagger, apiProperties: pkg.apiProperties, settings: pkg.settings, script: Buffer.from(pkg.script!.text) });
    expect(report.errors).toEqual([]);
  });

  test('crm v8.2: the script stays far below the 1 MB limit of custom code', () => {
    const { pkg } = dynamic(crm);
    const part = pkg.script!.parts.find((p) => p.operationIds.includes(GET_ACTION_PARAMETERS))!;
    const partBytes = Buffer.byteLength(part.csharp);
    const scriptBytes = Buffer.byteLength(pkg.script!.text);
    const { bound, unbound } = performableActions(crm);
    const names = new Set([...bound, ...unbound].map((a) => a.name));
    console.log(`crm v8.2: ${names.size} actions; their parameters take ${partBytes} bytes of script.csx, which is ${scriptBytes} bytes in all`);
    for (const name of names) expect(part.csharp).toContain(`["${name}"] = `);
    expect(partBytes).toBeLessThan(MAX_ACTION_SCRIPT_BYTES / 8);
    expect(scriptBytes).toBeLessThan(MAX_SCRIPT_BYTES / 10);
  });

  test('a name list left as free text keeps the open JSON object, and the other binding keeps its fields', () => {
    const many = Array.from({ length: 401 }, (_v, i) => `sample_Action${i}`);
    const model = emulatorModelWith(
      many.map((n) => `<Action Name="${n}"><Parameter Name="Value" Type="Edm.String" /></Action>`).join(''),
      many.map((n) => `<ActionImport Name="${n}" Action="${NS}.${n}" />`).join(''),
    );
    const { pkg, warnings } = dynamic(model);
    const unboundCount = performableActions(model).unbound.length;
    expect(unboundCount).toBeGreaterThan(400);
    expect(warnings.map((w) => w.message)).toContain(`The metadata declares ${unboundCount} unbound actions; the action name is left as free text instead of a list.`);
    expect(warnings.map((w) => w.message).filter((m) => m.includes('action parameters') || m.includes('custom code'))).toEqual([]);
    const unbound = bodyOf(pkg.swagger, 'PerformUnboundAction').schema;
    expect(unbound).toEqual({ type: 'object', description: expect.stringContaining('Parameters by name') });
    expect(bodyOf(pkg.swagger, 'PerformBoundAction').schema['x-ms-dynamic-schema'].parameters.binding).toBe('bound');
    const part = pkg.script!.parts.find((p) => p.operationIds.includes(GET_ACTION_PARAMETERS))!;
    expect(part.csharp).toContain('["SendEmail"] = ');
    expect(part.csharp).not.toContain('sample_Action0');
  });

  test('parameters that would not fit in the script keep the open JSON object on both operations, with a warning', () => {
    const parameters = Array.from({ length: 60 }, (_v, i) => `<Parameter Name="sample_ParameterWithALongName${i}" Type="Edm.String" />`).join('');
    const names = Array.from({ length: 350 }, (_v, i) => `sample_Big${i}`);
    const model = emulatorModelWith(
      names.map((n) => `<Action Name="${n}">${parameters}</Action>`).join(''),
      names.map((n) => `<ActionImport Name="${n}" Action="${NS}.${n}" />`).join(''),
    );
    const { pkg, warnings } = dynamic(model);
    const { bound, unbound } = performableActions(model);
    const count = new Set([...bound, ...unbound].map((a) => a.name)).size;
    const budget = warnings.filter((w) => w.where === 'action parameters');
    expect(budget).toEqual([expect.objectContaining({ message: expect.stringMatching(new RegExp(`^The parameters of ${count} actions would take \\d+ bytes of custom code`)) })]);
    expect(Number(/take (\d+) bytes/.exec(budget[0].message)![1])).toBeGreaterThan(MAX_ACTION_SCRIPT_BYTES);
    for (const id of ['PerformBoundAction', 'PerformUnboundAction']) expect(bodyOf(pkg.swagger, id).schema['x-ms-dynamic-schema']).toBeUndefined();
    expect(() => operation(pkg.swagger, GET_ACTION_PARAMETERS)).toThrow();
    expect(pkg.apiProperties.properties.scriptOperations).not.toContain(GET_ACTION_PARAMETERS);
  });

  test('a metadata without actions gets no GetActionParameters', () => {
    const xml = fs.readFileSync(EMULATOR_MODEL, 'utf8').replace(/<Action [\s\S]*?<\/Action>/g, '').replace(/<ActionImport [^>]*\/>/g, '');
    const { pkg, warnings } = dynamic(parseCsdl(xml));
    expect(warnings).toEqual([]);
    expect(() => operation(pkg.swagger, GET_ACTION_PARAMETERS)).toThrow();
    expect(bodyOf(pkg.swagger, 'PerformUnboundAction').schema['x-ms-dynamic-schema']).toBeUndefined();
  });

  test('one name bound to several tables: the union of the overloads, required only where all require it', () => {
    const model = emulatorModelWith(
      '<Action Name="sample_Tag" IsBound="true"><Parameter Name="entity" Type="mscrm.account" Nullable="false" />' +
        '<Parameter Name="Label" Type="Edm.String" Nullable="false" /><Parameter Name="Weight" Type="Edm.Int32" Nullable="false" /></Action>' +
        '<Action Name="sample_Tag" IsBound="true"><Parameter Name="entity" Type="mscrm.contact" Nullable="false" />' +
        '<Parameter Name="Label" Type="Edm.String" Nullable="false" /><Parameter Name="Weight" Type="Edm.Decimal" Nullable="false" />' +
        '<Parameter Name="Owner" Type="mscrm.systemuser" /></Action>',
    );
    const { specs, notes } = actionParameterSpecs(model, performableActions(model).bound);
    // Label agrees (required in both); Weight disagrees (any value); Owner only in one (optional).
    expect(specs.get('sample_Tag')).toBe('+Label:String;+Weight:;Owner:@systemuser');
    expect(specs.get('SendEmail')).toBe('+IssueSend:Boolean;TrackingToken:String');
    expect(notes).toEqual(["The overloads of 'sample_Tag' give the parameter 'Weight' different types; it accepts any value."]);
    const { warnings } = dynamic(model);
    expect(warnings.map((w) => w.message)).toEqual(notes);
  });
});

/** The property schema the designer must get for a parameter, derived here from the CSDL (not from the generator). */
function expectedProperty(model: CsdlModel, p: Parameter): Record<string, unknown> {
  const edm: Record<string, Record<string, string>> = {
    'Edm.String': { type: 'string' },
    'Edm.Guid': { type: 'string', format: 'uuid' },
    'Edm.Boolean': { type: 'boolean' },
    'Edm.Int32': { type: 'integer', format: 'int32' },
    'Edm.Int64': { type: 'integer', format: 'int64' },
    'Edm.Decimal': { type: 'number', format: 'decimal' },
    'Edm.Double': { type: 'number', format: 'double' },
    'Edm.DateTimeOffset': { type: 'string', format: 'date-time' },
    'Edm.Binary': { type: 'string', format: 'byte' },
  };
  let item: Record<string, unknown>;
  if (edm[p.type]) item = { ...edm[p.type] };
  else if (model.entityTypes.has(p.type)) {
    const odataType = p.type === `${NS}.crmbaseentity` ? `${NS}.<table logical name>` : p.type;
    item = { type: 'object', description: expect.stringContaining(`"@odata.type": "${odataType}"`) };
  } else if (model.complexTypes.has(p.type)) item = { type: 'object', description: expect.stringContaining(p.type) };
  else if (model.enumTypes.has(p.type)) {
    const e = model.enumTypes.get(p.type)!;
    item = e.isFlags ? { type: 'string' } : { type: 'string', enum: e.members.map((m) => m.name) };
  } else throw new Error(`the test has no expectation for ${p.type}`);
  return expect.objectContaining(p.collection ? { type: 'array', items: expect.objectContaining(item) } : item);
}

function expectedSchema(model: CsdlModel, action: Operation) {
  const inputs = action.bound ? action.parameters.slice(1) : action.parameters;
  const properties = Object.fromEntries(inputs.map((p) => [p.name, expectedProperty(model, p)]));
  const required = inputs.filter((p) => !p.nullable).map((p) => p.name);
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}

/** A value of the type a property schema asks for; rows name their table from the schema's description. */
function valueFor(schema: any, row: () => Record<string, unknown>): unknown {
  if (schema.type === 'integer') return 3;
  if (schema.type === 'boolean') return false;
  if (schema.type === 'string') return schema.enum ? schema.enum[0] : 'text';
  if (schema.type === 'object') {
    const odataType = /"@odata\.type": "([^"<]+)"/.exec(schema.description)?.[1];
    if (!odataType) throw new Error(`no @odata.type in ${schema.description}`);
    return { '@odata.type': odataType, ...row() };
  }
  throw new Error(`the test cannot fill ${JSON.stringify(schema)}`);
}

describe('dynamic connector: action parameters through script.csx under Mono (crm v8.2)', () => {
  if (!monoAvailable()) return;

  const model = parseCsdl(fs.readFileSync(CRM_FILE, 'utf8'));
  const { pkg } = dynamic(model);
  const fixture = useScriptedConnection(pkg, { limits: 'off', metadataFile: CRM_FILE, fno: false });

  const parametersOf = async (actionName: string, binding: 'bound' | 'unbound') => {
    const res = await fixture.conn.run(GET_ACTION_PARAMETERS, { actionName, binding });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: actionName, binding });
    return res.body[ACTION_SCHEMA_VALUE_PATH];
  };

  test('WinOpportunity: an opportunityclose row and an integer Status, both required', async () => {
    const schema = await parametersOf('WinOpportunity', 'unbound');
    expect(schema).toEqual({
      type: 'object',
      properties: {
        OpportunityClose: {
          type: 'object',
          description: `A row of the opportunityclose table: its columns by logical name, with "@odata.type": "${NS}.opportunityclose".`,
          'x-ms-summary': 'Opportunity Close',
        },
        Status: { type: 'integer', format: 'int32', description: 'The Status parameter (Edm.Int32).', 'x-ms-summary': 'Status' },
      },
      required: ['OpportunityClose', 'Status'],
    });
    expect(fixture.conn.sent[fixture.conn.sent.length - 1].url).toMatch(/\/api\/data\/v9\.2\/WinOpportunity\/\$parameters\?binding=unbound$/);
    const runs = fixture.proxy.executions.filter((e) => e.operationId === GET_ACTION_PARAMETERS);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((e) => e.outcome === 'ok')).toBe(true);
  });

  test('actions without parameters answer an empty object schema', async () => {
    expect(await parametersOf('PublishAllXml', 'unbound')).toEqual({ type: 'object', properties: {} });
    expect(await parametersOf('CalculateActualValueOpportunity', 'bound')).toEqual({ type: 'object', properties: {} });
  });

  test('every offered action answers the parameters its CSDL declares, with their JSON Schema types', async () => {
    const { bound, unbound } = performableActions(model);
    for (const [binding, actions] of [['bound', bound], ['unbound', unbound]] as const) {
      const seen = new Set<string>();
      for (const action of actions) {
        if (seen.has(action.name)) continue;
        seen.add(action.name);
        const schema = await parametersOf(action.name, binding);
        expect({ action: action.name, schema }).toEqual({ action: action.name, schema: expectedSchema(model, action) });
      }
      expect(seen.size).toBeGreaterThan(50);
    }
    const runs = fixture.proxy.executions.filter((e) => e.operationId === GET_ACTION_PARAMETERS);
    expect(runs.every((e) => e.outcome === 'ok')).toBe(true);
    const ms = runs.map((e) => e.milliseconds).sort((a, b) => a - b);
    console.log(`GetActionParameters under Mono: ${runs.length} runs, median ${ms[Math.floor(ms.length / 2)].toFixed(1)} ms, slowest ${ms[ms.length - 1].toFixed(1)} ms`);
  }, 300_000);

  test('unknown names, the other binding, another case and bad input get clear errors from the script', async () => {
    const refusals: Array<[actionName: string, binding: string, status: number, message: string | ReturnType<typeof expect.stringContaining>]> = [
      [
        'sample_NoSuchAction',
        'unbound',
        404,
        "No unbound action named 'sample_NoSuchAction' was in the metadata this connector was generated from; pick one from the list, or regenerate the connector for actions added since.",
      ],
      ['WinOpportunity', 'bound', 404, "'WinOpportunity' is an unbound action: perform it with Perform an unbound action."],
      ['winopportunity', 'unbound', 404, expect.stringContaining("did you mean 'WinOpportunity'?")],
      ["x') or (1", 'unbound', 400, expect.stringContaining('is not an action name')],
      ['WinOpportunity', 'sideways', 400, "The binding 'sideways' is not one of bound, unbound."],
    ];
    for (const [actionName, binding, status, message] of refusals) {
      const refused = await fixture.conn.fail(GET_ACTION_PARAMETERS, { actionName, binding });
      expect({ actionName, binding, status: refused.status, message: refused.body.error.message }).toEqual({ actionName, binding, status, message });
    }
  });

  test('WinOpportunity performed with a body shaped by its schema; without a required field the emulator refuses it', async () => {
    const { conn } = fixture;
    const opportunity = await conn.run('AddRow', { entityset: 'opportunities', item: { name: 'Shaped deal' } });
    expect(opportunity.status).toBe(201);
    const id: string = opportunity.body.opportunityid;
    const schema = await parametersOf('WinOpportunity', 'unbound');
    const body: Record<string, unknown> = {};
    for (const name of schema.required) {
      body[name] = valueFor(schema.properties[name], () => ({ subject: 'Won through the connector', 'opportunityid@odata.bind': `/opportunities(${id})` }));
    }
    expect(body).toEqual({
      OpportunityClose: { '@odata.type': `${NS}.opportunityclose`, subject: 'Won through the connector', 'opportunityid@odata.bind': `/opportunities(${id})` },
      Status: 3,
    });
    const won = await conn.run('PerformUnboundAction', { actionName: 'WinOpportunity', parameters: body });
    expect(won.status).toBe(204);
    expect(conn.sent[conn.sent.length - 1].url).toMatch(/\/api\/data\/v9\.2\/WinOpportunity\/$/);

    const { Status: _left, ...missing } = body;
    const refused = await conn.fail('PerformUnboundAction', { actionName: 'WinOpportunity', parameters: missing });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain("'Status'");
  });

  test('QualifyLead performed on a lead with a body shaped by its bound schema', async () => {
    const { conn } = fixture;
    const lead = await conn.run('AddRow', { entityset: 'leads', item: { subject: 'Shaped lead', lastname: 'Lead' } });
    expect(lead.status).toBe(201);
    const schema = await parametersOf('QualifyLead', 'bound');
    expect(schema.required).toEqual(['CreateAccount', 'CreateContact', 'CreateOpportunity', 'Status']);
    const body = Object.fromEntries(schema.required.map((name: string) => [name, valueFor(schema.properties[name], () => ({}))]));
    expect(body).toEqual({ CreateAccount: false, CreateContact: false, CreateOpportunity: false, Status: 3 });
    const qualified = await conn.run('PerformBoundAction', { entityset: 'leads', id: lead.body.leadid, actionName: 'QualifyLead', parameters: body });
    expect([200, 204]).toContain(qualified.status);
    expect(conn.sent[conn.sent.length - 1].url).toContain(`/leads(${lead.body.leadid})/${NS}.QualifyLead`);
  });
});
