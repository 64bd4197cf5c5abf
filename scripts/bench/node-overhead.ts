/**
 * The Dataverse node's own cost: N creates through the node (Batch Size 100) in a real n8n 2.41.1, against the same
 * N creates sent by the bare client with the same batch size and parallelism. Measured runs alternate
 * (after a warm-up of each: client, node, client, node; the means are compared) so the growing table and a warming machine do not favour either side.
 *
 * Two ways of mapping the columns are measured: "Map Automatically" (the item's fields are the columns), which is the
 * node's own overhead, and one `{{ $json.name }}` expression per item, which adds what n8n's expression sandbox
 * costs per evaluated expression.
 */
import type { RunningEmulator } from '../../emulator';
import { APP_REGISTRATION_CREDENTIAL, emulatorCredentialData } from '../n8n/emulator-credential';
import { startN8n } from '../n8n/harness';

const BATCH_SIZE = 100;

export interface NodeOverheadResult {
  items: number;
  batchSize: number;
  clientMs: number;
  /** Map Automatically. */
  nodeMs: number;
  /** nodeMs / clientMs − 1 */
  overhead: number;
  /** One expression per item. */
  nodeWithExpressionMs: number;
  overheadWithExpression: number;
}

type ClientRun = (rows: number, extraEnv: Record<string, string>) => Promise<{ created: number; ms: number }>;

export async function nodeOverheadBenchmark(emulator: RunningEmulator, items: number, runClient: ClientRun): Promise<NodeOverheadResult> {
  const n8n = await startN8n({ extraCaFile: emulator.caCertFile });
  try {
    const cred = await n8n.api.createCredential(APP_REGISTRATION_CREDENTIAL, emulatorCredentialData(emulator), 'Bench emulator');
    const workflow = (columns: Record<string, unknown>, count: number) => ({
      nodes: [
        { id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
        {
          id: 'items',
          name: 'Items',
          type: 'n8n-nodes-base.code',
          typeVersion: 2,
          position: [200, 0],
          parameters: { mode: 'runOnceForAllItems', jsCode: `return Array.from({ length: ${count} }, (_, i) => ({ json: { name: 'Node bench ' + i } }));` },
        },
        {
          id: 'dataverse',
          name: 'Dataverse',
          type: 'n8n-nodes-dynamics365.dataverse',
          typeVersion: 1,
          position: [400, 0],
          parameters: {
            authentication: 'appRegistration',
            resource: 'row',
            operation: 'create',
            table: { __rl: true, mode: 'id', value: 'accounts' },
            columns,
            options: { batchSize: BATCH_SIZE, returnRepresentation: false },
          },
          credentials: { dynamics365AppRegistrationApi: { id: cred.id, name: cred.name } },
        },
        // The webhook answer carries the last node's items; one summary item keeps 10k rows out of it.
        { id: 'count', name: 'Count', type: 'n8n-nodes-base.limit', typeVersion: 1, position: [600, 0], parameters: { maxItems: 1 } },
      ],
      connections: {
        Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
        Items: { main: [[{ node: 'Dataverse', type: 'main', index: 0 }]] },
        Dataverse: { main: [[{ node: 'Count', type: 'main', index: 0 }]] },
      },
    });
    const nodeRun = async (columns: Record<string, unknown>, count: number): Promise<number> => {
      const run = await n8n.api.executeWorkflow(workflow(columns, count), {});
      if (run.status !== 'success') throw new Error(`node benchmark run ${run.status}: ${JSON.stringify(run.error ?? {}).slice(0, 500)}`);
      const dataverseRun = run.runData.Dataverse[0];
      const created = dataverseRun.data.main[0].length;
      if (created !== count) throw new Error(`the node returned ${created} items for ${count} inputs`);
      return Number(dataverseRun.executionTime);
    };
    const clientEnv = { BENCH_BATCH_SIZE: String(BATCH_SIZE) };
    const autoMap = { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] };
    const withExpression = { mappingMode: 'defineBelow', value: { name: '={{ $json.name }}' }, matchingColumns: [], schema: [] };
    // Warm-up of both sides (n8n loads the package and JIT-compiles on its first executions; tokens get cached).
    await runClient(Math.min(items, 1000), clientEnv);
    await nodeRun(autoMap, Math.min(items, 1000));
    const clientMs: number[] = [];
    const nodeRuns: number[] = [];
    for (let round = 0; round < 2; round++) {
      clientMs.push((await runClient(items, clientEnv)).ms);
      nodeRuns.push(await nodeRun(autoMap, items));
    }
    const nodeMs = Math.round((nodeRuns[0] + nodeRuns[1]) / 2);
    const nodeWithExpressionMs = await nodeRun(withExpression, items);
    const meanClientMs = (clientMs[0] + clientMs[1]) / 2;
    const ratio = (ms: number) => Number((ms / meanClientMs - 1).toFixed(3));
    return {
      items,
      batchSize: BATCH_SIZE,
      clientMs: Math.round(meanClientMs),
      nodeMs,
      overhead: ratio(nodeMs),
      nodeWithExpressionMs,
      overheadWithExpression: ratio(nodeWithExpressionMs),
    };
  } finally {
    await n8n.stop();
  }
}
