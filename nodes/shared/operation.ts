/** The shape every operation file of an action node has, so the shared router can run any of them. */
import type { IBinaryKeyData, IDataObject, IExecuteFunctions } from 'n8n-workflow';

/** What one input item produced (rows, maybe a file per row) or the error that belongs to it. */
export interface ItemResult {
  item: number;
  json?: IDataObject[];
  /** Files that go with the output rows, by position (a download). */
  binary?: IBinaryKeyData[];
  error?: unknown;
  /** Every input item the output came from, when one output answers for several items (a package of all items). */
  pairedItems?: number[];
}

export interface OperationModule<Connection> {
  /** Runs the operation for input item i (absent when the operation only makes sense over all items). */
  execute?(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[] | { json: IDataObject[]; binary?: IBinaryKeyData[] }>;
  /** Runs all input items at once (one `$batch`, one package); answers for every item it was given, in any order. */
  executeAll?(this: IExecuteFunctions, conn: Connection, itemCount: number): Promise<ItemResult[]>;
  /** Whether executeAll applies to this run (for example a batch size above 1); true when absent. */
  handlesAllItems?(this: IExecuteFunctions): boolean;
}
