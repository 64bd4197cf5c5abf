/**
 * Downloads put their bytes in the output item's `binary`, which a plain operation result (json only) cannot carry;
 * such operations answer through executeAll with this richer result, which the router copies onto the item.
 */
import type { IBinaryKeyData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { Connection } from '../../transport/connection';
import type { ItemResult } from '../operation';

export interface BinaryItemResult extends ItemResult {
  binary?: IBinaryKeyData;
}

export interface BinaryOutput {
  json: IDataObject;
  binary: IBinaryKeyData;
}

export type BinaryItemOperation = (this: IExecuteFunctions, conn: Connection, i: number) => Promise<BinaryOutput>;

/** Runs every item in turn; with Continue On Fail a failed item keeps its error and the others go on. */
export async function eachItemWithBinary(ctx: IExecuteFunctions, conn: Connection, count: number, run: BinaryItemOperation): Promise<BinaryItemResult[]> {
  const results: BinaryItemResult[] = [];
  for (let i = 0; i < count; i++) {
    try {
      const { json, binary } = await run.call(ctx, conn, i);
      results.push({ item: i, json: [json], binary });
    } catch (error) {
      results.push({ item: i, error });
      if (!ctx.continueOnFail()) break;
    }
  }
  return results;
}
