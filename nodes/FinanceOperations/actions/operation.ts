/** The shape every operation file has, so the router can run any of them. */
import type { IBinaryKeyData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { Connection } from '../transport/connection';

/** What one input item produced (rows, maybe files) or the error that belongs to it. */
export interface ItemResult {
  item: number;
  json?: IDataObject[];
  binary?: IBinaryKeyData[];
  error?: unknown;
  /** Every input item the output came from, when one output answers for several items (a package of all items). */
  pairedItems?: number[];
}

export interface OperationModule {
  /** Runs the operation for input item i. */
  execute?(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[] | { json: IDataObject[]; binary?: IBinaryKeyData[] }>;
  /** Runs over all input items at once (one package of all items); answers for every item. */
  executeAll?(this: IExecuteFunctions, conn: Connection, itemCount: number): Promise<ItemResult[]>;
  handlesAllItems?(this: IExecuteFunctions): boolean;
}
