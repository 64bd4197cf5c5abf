/** The shape every operation file has, so the router can run any of them. */
import type { IBinaryKeyData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { Connection } from '../transport/connection';

/** What one input item produced: output rows, or the error that belongs to it. */
export interface ItemResult {
  item: number;
  json?: IDataObject[];
  /** Files that go with the item's output (a download). */
  binary?: IBinaryKeyData;
  error?: unknown;
}

export interface OperationModule {
  /** Runs the operation for input item i (absent when the operation only makes sense over all items). */
  execute?(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]>;
  /** Runs all input items at once (one `$batch`); answers for every item it was given, in any order. */
  executeAll?(this: IExecuteFunctions, conn: Connection, itemCount: number): Promise<ItemResult[]>;
  /** Whether executeAll applies to this run (for example a batch size above 1); true when absent. */
  handlesAllItems?(this: IExecuteFunctions): boolean;
}
