/** What every Dataverse handler shares: the schema, the rows, the service root and the caller. */
import type { EmulatorRequest } from '../http/types';
import type { TableStore } from '../store/table-store';
import type { Preferences } from './prefer';
import type { DataverseSchema } from './schema';

export interface DataverseService {
  schema: DataverseSchema;
  store: TableStore;
  /** `https://127.0.0.1:PORT/api/data/v9.2/` */
  serviceRoot: string;
  organizationId: string;
  organizationName: string;
  businessUnitId: string;
  now(): Date;
  /** Runs after a write has been applied and before it is acknowledged (durability, events). */
  afterWrite(): Promise<void>;
}

export interface CallContext {
  service: DataverseService;
  req: EmulatorRequest;
  prefs: Preferences;
  /** systemuserid of the caller (the application user or the signed-in user). */
  userId: string;
  /** Query string, also the source of parameter aliases (@p1). */
  query: URLSearchParams;
}
