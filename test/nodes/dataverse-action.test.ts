/** The Dataverse node's Action resource run through execute() and its pickers against the emulator. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NodeApiError, NodeOperationError, type ICredentialDataDecryptedObject, type IDataObject } from 'n8n-workflow';
import { DataverseContext, type RequestSpec } from '../../client/dataverse/context';
import type { Operation } from '../../client/metadata/model';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { operationOutput } from '../../nodes/Dataverse/actions/action/operation-output';
import { Dataverse } from '../../nodes/Dataverse/Dataverse.node';
import { appCredentials, loadOptionsContext, rl, runNode, type Params } from '../helpers/n8n-context';

// Operations real environments declare (RetrieveTotalRecordCount, CreateMultiple) and a custom API with typed
// parameters, added to the built-in model (which predates them).
const DECLARATIONS = `
      <ComplexType Name="EntityRecordCountCollection">
        <Property Name="Count" Type="Edm.Int32" Nullable="false" />
        <Property Name="Keys" Type="Collection(Edm.String)" />
        <Property Name="Values" Type="Collection(Edm.Int64)" Nullable="false" />
      </ComplexType>
      <ComplexType Name="RetrieveTotalRecordCountResponse">
        <Property Name="EntityRecordCountCollection" Type="mscrm.EntityRecordCountCollection" />
      </ComplexType>
      <Function Name="RetrieveTotalRecordCount">
        <Parameter Name="EntityNames" Type="Collection(Edm.String)" Nullable="false" Unicode="false" />
        <ReturnType Type="mscrm.RetrieveTotalRecordCountResponse" Nullable="false" />
      </Function>
      <ComplexType Name="sample_RecalculateScoreResponse">
        <Property Name="Score" Type="Edm.Int32" />
      </ComplexType>
      <Action Name="sample_RecalculateScore">
        <Parameter Name="Count" Type="Edm.Int32" Nullable="false" />
        <Parameter Name="Weight" Type="Edm.Decimal" />
        <Parameter Name="Active" Type="Edm.Boolean" />
        <Parameter Name="Since" Type="Edm.DateTimeOffset" />
        <Parameter Name="Fields" Type="mscrm.TargetFieldType" />
        <ReturnType Type="mscrm.sample_RecalculateScoreResponse" Nullable="false" />
      </Action>
      <ComplexType Name="CreateMultipleResponse">
        <Property Name="Ids" Type="Collection(Edm.Guid)" Nullable="false" />
      </ComplexType>
      <Action Name="CreateMultiple" IsBound="true">
        <Parameter Name="entityset" Type="Collection(mscrm.account)" Nullable="false" />
        <Parameter Name="Targets" Type="Collection(mscrm.crmbaseentity)" Nullable="false" />
        <ReturnType Type="mscrm.CreateMultipleResponse" Nullable="false" />
      </Action>
      <Function Name="WhoAmI">`;
const IMPORTS = `<FunctionImport Name="WhoAmI" Function="Microsoft.Dynamics.CRM.WhoAmI" />
        <FunctionImport Name="RetrieveTotalRecordCount" Function="Microsoft.Dynamics.CRM.RetrieveTotalRecordCount" />
        <ActionImport Name="sample_RecalculateScore" Action="Microsoft.Dynamics.CRM.sample_RecalculateScore" />`;

const node = new Dataverse();
let emulator: RunningEmulator;
let credentials: Record<string, ICredentialDataDecryptedObject>;
let dir: string;

beforeAll(async () => {
  const base = fs.readFileSync(path.join(__dirname, '../../emulator/model/dataverse.xml'), 'utf8');
  const xml = base.replace('<Function Name="WhoAmI">', DECLARATIONS).replace('<FunctionImport Name="WhoAmI" Function="Microsoft.Dynamics.CRM.WhoAmI" />', IMPORTS);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dataverse-action-'));
  fs.writeFileSync(path.join(dir, 'metadata.xml'), xml);
  emulator = await startEmulator({ limits: 'off', metadataFile: path.join(dir, 'metadata.xml') });
  credentials = { dynamics365AppRegistrationApi: appCredentials(emulator) };
});
afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (params: Params | ((i: number) => Params), extra: { items?: IDataObject[]; continueOnFail?: boolean } = {}) =>
  runNode(node, { params, credentials: credentials as never, ...extra });

const ctx = (params: Params) => loadOptionsContext(node, params, credentials);

function action(name: string, parameters: IDataObject = {}, more: Params = {}): Params {
  return { resource: 'action', operation: 'run', operationName: rl(name, 'list'), parametersMode: 'mapper', parameters: { mappingMode: 'defineBelow', value: parameters }, options: {}, ...more };
}

/** The request specs the client built while `work` ran (what goes on the wire, after type conversion). */
async function captureRequests<T>(work: () => Promise<T>): Promise<{ result: T; specs: RequestSpec[] }> {
  const specs: RequestSpec[] = [];
  const original = DataverseContext.prototype.execute;
  const spy = jest.spyOn(DataverseContext.prototype, 'execute').mockImplementation(function (this: DataverseContext, spec: RequestSpec) {
    specs.push(spec);
    return original.call(this, spec);
  });
  try {
    return { result: await work(), specs };
  } finally {
    spy.mockRestore();
  }
}

describe('pickers', () => {
  test('searchActions lists actions and functions with their kind and binding; the search filters', async () => {
    const all = await node.methods.listSearch.searchActions.call(ctx({}));
    const names = all.results.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['WhoAmI (function)', 'RetrieveVersion (function)', 'sample_RecalculateScore (action)', 'SendEmail (action, bound to a row of emails)', 'CreateMultiple (action, bound to accounts)']));
    expect(names.some((n) => n.startsWith('LastXDays'))).toBe(false);
    expect(all.results.find((r) => r.name === 'WhoAmI (function)')?.value).toBe('WhoAmI');
    const some = await node.methods.listSearch.searchActions.call(ctx({}), 'retrieve');
    expect(some.results.length).toBeGreaterThan(0);
    expect(some.results.every((r) => /retrieve/i.test(r.name))).toBe(true);
    const byTable = await node.methods.listSearch.searchActions.call(ctx({}), 'EMAILS');
    expect(byTable.results.map((r) => r.value)).toEqual(['SendEmail']);
  });

  test('getActionParameters: one field per parameter, typed from Edm types, required when not nullable', async () => {
    const { fields } = await node.methods.resourceMapping.getActionParameters.call(ctx({ operationName: rl('sample_RecalculateScore') }));
    const byId = Object.fromEntries(fields.map((f) => [f.id, f]));
    expect(Object.keys(byId)).toEqual(['Count', 'Weight', 'Active', 'Since', 'Fields']);
    expect(byId.Count).toMatchObject({ type: 'number', required: true, display: true });
    expect(byId.Weight).toMatchObject({ type: 'number', required: false });
    expect(byId.Active).toMatchObject({ type: 'boolean', required: false });
    expect(byId.Since).toMatchObject({ type: 'dateTime' });
    expect(byId.Fields).toMatchObject({ type: 'options', options: expect.arrayContaining([{ name: 'All', value: 'All' }]) });

    const bound = await node.methods.resourceMapping.getActionParameters.call(
      ctx({ operationName: rl('SendEmail'), table: rl('emails'), rowId: rl('00000000-0000-0000-0000-000000000001') }),
    );
    expect(bound.fields.map((f) => [f.id, f.type, f.required])).toEqual([['IssueSend', 'boolean', true], ['TrackingToken', 'string', false]]);
    const counts = await node.methods.resourceMapping.getActionParameters.call(ctx({ operationName: rl('RetrieveTotalRecordCount') }));
    expect(counts.fields[0]).toMatchObject({ id: 'EntityNames', type: 'array', required: true });
    const none = await node.methods.resourceMapping.getActionParameters.call(ctx({ operationName: rl('WhoAmI') }));
    expect(none.fields).toEqual([]);
  });
});

describe('run', () => {
  test('unbound functions: WhoAmI and RetrieveVersion, one item each without the @odata.context', async () => {
    const out = await run((i) => action(i === 0 ? 'WhoAmI' : 'RetrieveVersion'), { items: [{}, {}] });
    expect(out[0].json).toEqual({ UserId: emulator.identity.applicationUserId, BusinessUnitId: emulator.identity.businessUnitId, OrganizationId: emulator.identity.organizationId });
    expect(out[1].json).toEqual({ Version: expect.stringMatching(/^9\./) });
    expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
  });

  test('an unbound function with a collection parameter typed as text', async () => {
    const [out] = await run(action('RetrieveTotalRecordCount', { EntityNames: 'account, contact' }));
    expect(out.json).toMatchObject({ EntityRecordCountCollection: { Keys: ['account', 'contact'], Values: [expect.any(Number), expect.any(Number)] } });
  });

  test('an unbound action: text values are sent as the declared types, with the option headers', async () => {
    const { result, specs } = await captureRequests(() =>
      run(action('sample_RecalculateScore', { Count: '5', Weight: '2.50', Active: 'true', Fields: 'All', Since: '' }, { options: { bypassCustomPluginExecution: true } })),
    );
    expect(result[0].json).toEqual({ Score: null });
    const call = specs.find((s) => s.method === 'POST');
    expect(call).toMatchObject({ path: 'sample_RecalculateScore', json: { Count: 5, Weight: 2.5, Active: true, Fields: 'All' }, idempotent: false });
    expect(call?.extraHeaders).toEqual({ 'MSCRM.BypassCustomPluginExecution': 'true' });
  });

  test('JSON parameters for entity values; an action without a return value answers { success: true }', async () => {
    const target = { '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: '00000000-0000-0000-0000-000000000001' };
    const revokee = { '@odata.type': 'Microsoft.Dynamics.CRM.systemuser', systemuserid: emulator.identity.applicationUserId };
    const [out] = await run({ ...action('RevokeAccess'), parametersMode: 'json', parametersJson: JSON.stringify({ Target: target, Revokee: revokee }) });
    expect(out.json).toEqual({ success: true });
  });

  test('a bound action on a row (SendEmail on an email) and a bound function on a row', async () => {
    const [email] = await run({ resource: 'row', operation: 'create', table: rl('emails'), columns: { mappingMode: 'defineBelow', value: { subject: 'Hello' } }, options: {} });
    const emailId = String(email.json.activityid);
    const { result, specs } = await captureRequests(() => run(action('SendEmail', { IssueSend: 'false' }, { table: rl('emails'), rowId: rl(emailId) })));
    expect(result[0].json).toEqual({ Subject: null });
    expect(specs.find((s) => s.method === 'POST')).toMatchObject({ path: `emails(${emailId})/Microsoft.Dynamics.CRM.SendEmail`, json: { IssueSend: false } });

    const [privileges] = await run(action('RetrieveUserPrivileges', {}, { table: rl('systemuser'), rowId: rl(emulator.identity.applicationUserId) }));
    expect(privileges.json).toEqual({ RolePrivileges: [] });
  });

  test('an action bound to a table (CreateMultiple on accounts), entity collection as JSON text in a mapper field', async () => {
    const targets = JSON.stringify([{ '@odata.type': 'Microsoft.Dynamics.CRM.account', name: 'Multi' }]);
    const [out] = await run(action('CreateMultiple', { Targets: targets }, { table: rl('accounts') }));
    expect(out.json).toEqual({ Ids: [] });
  });

  test('bad input fails only its own item with continueOnFail, with a specific code', async () => {
    const perItem = [
      action('NoSuchOperation'),
      action('sample_RecalculateScore', { Weight: '1' }),
      action('sample_RecalculateScore', { Count: 'many' }),
      action('SendEmail', { IssueSend: true }),
      action('sample_RecalculateScore', { Count: 1 }),
      { ...action('RevokeAccess'), parametersMode: 'json', parametersJson: '{not json' },
    ];
    const out = await run((i) => perItem[i], { items: perItem.map(() => ({})), continueOnFail: true });
    expect(out.map((o) => o.pairedItem)).toEqual(perItem.map((_, item) => ({ item })));
    expect(out[0].json).toMatchObject({ code: 'UnknownOperation', error: expect.stringContaining("no action or function named 'NoSuchOperation'") });
    expect(out[1].json).toMatchObject({ code: 'MissingParameter', error: expect.stringContaining("'Count'") });
    expect(out[2].json).toMatchObject({ code: 'InvalidArgument', error: expect.stringContaining('Count') });
    expect(out[3].json).toMatchObject({ code: 'UnknownOperation', error: expect.stringContaining('cannot be called unbound') });
    expect(out[4].json).toEqual({ Score: null });
    expect(out[5].json).toMatchObject({ code: 'InvalidParameterValue' });
  });

  test('without continueOnFail the first bad item stops the run with its item index', async () => {
    const error = await run((i) => (i === 0 ? action('WhoAmI') : action('sample_RecalculateScore')), { items: [{}, {}] }).catch((e) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect(error.context).toMatchObject({ itemIndex: 1, code: 'MissingParameter' });
    const unknown = await run(action('NoSuchOperation')).catch((e) => e);
    expect(unknown).toBeInstanceOf(NodeApiError);
  });
});

describe('output', () => {
  const declared = (collection: boolean): Operation => ({
    kind: 'function',
    name: 'sample_List',
    qualifiedName: 'Microsoft.Dynamics.CRM.sample_List',
    bound: false,
    composable: false,
    parameters: [],
    returnType: { type: 'Edm.String', collection, nullable: true },
  });

  test('a collection becomes one item per element; a single value stays one item; 204 is success', () => {
    expect(operationOutput(declared(true), { '@odata.context': 'x', value: ['a', 'b'] })).toEqual([{ value: 'a' }, { value: 'b' }]);
    expect(operationOutput(declared(true), { value: [{ id: 1 }, { id: 2 }] })).toEqual([{ id: 1 }, { id: 2 }]);
    expect(operationOutput(declared(false), { '@odata.context': 'x', value: 'a' })).toEqual([{ value: 'a' }]);
    expect(operationOutput(declared(false), undefined)).toEqual([{ success: true }]);
  });
});
