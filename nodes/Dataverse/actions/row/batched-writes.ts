/**
 * The "Batch Size" option of create, update and upsert: the same requests the item-by-item path sends, grouped into
 * `$batch` requests, with every answer paired back to its item. Dataverse counts each operation of a batch against
 * its limits, so the gain is fewer round trips and TLS records, not a bigger quota.
 */
import type { IExecuteFunctions, IDataObject } from 'n8n-workflow';
import type { RequestSpec } from '../../../../client/dataverse/context';
import type { WriteResult } from '../../../../client/dataverse/crud';
import { toBatchOperation, writeResultOfBatch } from '../../../../client/dataverse/batch-requests';
import type { Connection } from '../../transport/connection';
import type { ItemResult, OperationModule } from '../operation';

export interface PlannedWrite {
  set: string;
  spec: RequestSpec;
  output(result: WriteResult): IDataObject[];
}

export type PlanWrite = (ctx: IExecuteFunctions, conn: Connection, i: number) => Promise<PlannedWrite>;

/** Batches in flight at once; the connection's limiter still decides how many really go out. */
const BATCHES_IN_FLIGHT = 8;
export const MAX_BATCH_SIZE = 1000;

export function batchSizeOf(ctx: IExecuteFunctions): number {
  const size = Number(ctx.getNodeParameter('options.batchSize', 0, 1));
  return Number.isFinite(size) ? Math.min(MAX_BATCH_SIZE, Math.max(1, Math.floor(size))) : 1;
}

export function batchedWrites(plan: PlanWrite): Required<Pick<OperationModule, 'executeAll' | 'handlesAllItems'>> {
  return {
    handlesAllItems(this: IExecuteFunctions) {
      return batchSizeOf(this) > 1;
    },
    async executeAll(this: IExecuteFunctions, conn: Connection, itemCount: number): Promise<ItemResult[]> {
      const results: ItemResult[] = [];
      const planned: Array<{ item: number; write: PlannedWrite }> = [];
      for (let i = 0; i < itemCount; i++) {
        try {
          planned.push({ item: i, write: await plan(this, conn, i) });
        } catch (error) {
          results.push({ item: i, error });
          // Without Continue On Fail a bad item stops the run before anything is written.
          if (!this.continueOnFail()) return results;
        }
      }
      const answers = await conn.dv.executeBatch(
        // Content-IDs let a stopped batch say exactly which operation failed and which never ran.
        planned.map((p, n) => toBatchOperation(p.write.spec, { contentId: String(n + 1) })),
        { maxOperationsPerBatch: batchSizeOf(this), continueOnError: this.continueOnFail(), concurrency: BATCHES_IN_FLIGHT },
      );
      for (const answer of answers) {
        const { item, write } = planned[answer.index];
        if (answer.outcome === 'succeeded') results.push({ item, json: write.output(writeResultOfBatch(write.set, answer)) });
        else results.push({ item, error: answer.error ?? new Error(`The batch gave no answer for item ${item} (${answer.outcome}).`) });
      }
      return results.sort((a, b) => a.item - b.item);
    },
  };
}
