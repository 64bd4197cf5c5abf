/**
 * The soak workflow, built the way a careful user would build an idempotent sync:
 *
 *   Webhook → Rows (Code: one chunk of source rows)
 *           → Upsert (Dataverse Row upsert by the alternate key accountnumber, Batch Size N,
 *                     On Error: Continue (using error output))
 *              └ error output → Source row again → Upsert retry 1 ─ error output → … → Upsert retry K
 *                                                                              └ error output → Unrecovered
 *
 * The client retries 429s (the service did not run the request) and 401s (once, with a new token) by itself, and a
 * `$batch` made only of keyed upserts that meets a 502, 503 or a reset (repeating it is harmless). What it still
 * cannot write (its retries or time budget spent) comes out of the error output, and the next stage upserts those
 * source rows again: safe, because an upsert by alternate key can only ever write the one row of that key. n8n's own "Retry On Fail" would re-run the whole node (every item of the chunk, at most 5
 * tries), so one unlucky batch in every try would lose the chunk; re-sending only the failed items does not.
 */
import type { WorkflowJson } from '../n8n/harness';
import { PACKAGE_NAME } from '../n8n/harness';
import { chunkCodeNodeJs } from './source-rows';

export const UPSERT_NODE = 'Upsert';
export const UNRECOVERED_NODE = 'Unrecovered';
export const retryNodeName = (stage: number) => (stage === 0 ? UPSERT_NODE : `Upsert retry ${stage}`);

export interface SoakWorkflowOptions {
  credential: { id: string; name: string };
  batchSize: number;
  retryStages: number;
}

/**
 * A failed item carries only its error, so the next stage looks its source row up through n8n's paired items
 * (error item → the upsert's input item → … → Rows) and pairs its output one to one for the stage after it.
 */
const SOURCE_ROW_AGAIN_JS = "return $input.all().map((item, i) => ({ json: $('Rows').itemMatching(i).json, pairedItem: { item: i } }));";

export function soakWorkflow(options: SoakWorkflowOptions): WorkflowJson {
  const upsert = (name: string, x: number) => ({
    id: name.replace(/\W/g, '-').toLowerCase(),
    name,
    type: `${PACKAGE_NAME}.dataverse`,
    typeVersion: 1,
    position: [x, 0],
    onError: 'continueErrorOutput',
    parameters: {
      authentication: 'appRegistration',
      resource: 'row',
      operation: 'upsert',
      table: { __rl: true, mode: 'id', value: 'accounts' },
      keyType: 'alternateKey',
      keyColumns: { key: [{ column: 'accountnumber', value: '={{ $json.accountnumber }}' }] },
      columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] },
      options: { batchSize: options.batchSize, returnRepresentation: false },
    },
    credentials: { dynamics365AppRegistrationApi: { id: options.credential.id, name: options.credential.name } },
  });
  const code = (name: string, jsCode: string, x: number) => ({
    id: name.replace(/\W/g, '-').toLowerCase(),
    name,
    type: 'n8n-nodes-base.code',
    typeVersion: 2,
    position: [x, 200],
    parameters: { mode: 'runOnceForAllItems', jsCode },
  });
  const link = (node: string) => [{ node, type: 'main', index: 0 }];

  const nodes: any[] = [
    { id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
    code('Rows', chunkCodeNodeJs(), 200),
    upsert(UPSERT_NODE, 400),
  ];
  const connections: Record<string, any> = {
    Start: { main: [link('Rows')] },
    Rows: { main: [link(UPSERT_NODE)] },
  };
  for (let stage = 1; stage <= options.retryStages; stage++) {
    const strip = `Source row again ${stage}`;
    nodes.push(code(strip, SOURCE_ROW_AGAIN_JS, 400 + stage * 400 - 200), upsert(retryNodeName(stage), 400 + stage * 400));
    connections[retryNodeName(stage - 1)] = { main: [[], link(strip)] };
    connections[strip] = { main: [link(retryNodeName(stage))] };
  }
  nodes.push({ id: 'unrecovered', name: UNRECOVERED_NODE, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [600 + options.retryStages * 400, 200], parameters: {} });
  connections[retryNodeName(options.retryStages)] = { main: [[], link(UNRECOVERED_NODE)] };
  return { nodes, connections };
}
