/**
 * What every part of the Finance & Operations emulator shares: the model, the rows of every entity set per company,
 * the clock and the origin, and the way extra handlers join the F&O listener. Data Management, recurring integrations
 * and business events build on these types, so they change only additively.
 */
import type { CsdlModel } from '../../client/metadata/model';
import type { EmulatorRequest, EmulatorResponse } from '../http/types';

/** Field values of one entity row as clients see them (enums as member names, dates as ISO strings). */
export type FnoRow = Record<string, unknown>;

/** A stored row with its opaque ETag (`W/"…"`), which changes on every write. */
export interface FnoRecord {
  row: FnoRow;
  etag: string;
}

/** Key field values, `dataAreaId` included for company-specific entities. */
export type FnoKey = Record<string, string | number | boolean>;

/** Which companies a read covers: one company (default: the user's default company) or all of them. */
export interface FnoCompanyScope {
  company?: string;
  crossCompany?: boolean;
}

export interface FnoEntitySetInfo {
  name: string;
  /** Qualified entity type (`Microsoft.Dynamics.DataEntities.CustomerV3`). */
  entityType: string;
  /** Key fields in declaration order (`dataAreaId` first for company-specific entities). */
  key: string[];
  /** True when the entity is stored per legal entity (it has a `dataAreaId` field). */
  companySpecific: boolean;
}

export type FnoChange =
  | { op: 'insert' | 'update'; entitySet: string; company?: string; key: FnoKey; row: FnoRow; previous?: FnoRow }
  | { op: 'delete'; entitySet: string; company?: string; key: FnoKey; previous: FnoRow };

/** Row access with the same checks the OData endpoint applies; failures throw FnoError. */
export interface FnoStore {
  /** Rows of a set in key order; company-specific sets are limited to the scope's company unless crossCompany. */
  list(entitySet: string, scope?: FnoCompanyScope): FnoRecord[];
  get(entitySet: string, key: FnoKey): FnoRecord | undefined;
  /** Validates fields against the model, fills defaults, sets `dataAreaId` from the scope when missing. */
  insert(entitySet: string, row: FnoRow, scope?: { company?: string }): FnoRecord;
  /** Key fields cannot change; `ifMatch` (an ETag or `*`) is checked first. */
  update(entitySet: string, key: FnoKey, changes: FnoRow, options?: { ifMatch?: string }): FnoRecord;
  delete(entitySet: string, key: FnoKey, options?: { ifMatch?: string }): void;
  /** Called after every committed insert, update or delete. Returns a function that unsubscribes. */
  onChange(listener: (change: FnoChange) => void): () => void;
}

export interface FnoService {
  model: CsdlModel;
  /** The CSDL served at /data/$metadata. */
  metadataXml: string;
  /** `https://127.0.0.1:PORT` without a trailing slash; the token audience is this origin. */
  origin: string;
  /** Lower-case dataAreaId used when a request names no company (the user's default company). */
  defaultCompany: string;
  /** Lower-case dataAreaIds of the legal entities. */
  companies(): string[];
  /** Normalises a company id (`USMF` → `usmf`) or throws FnoError when it is not a legal entity. */
  resolveCompany(company: string): string;
  entitySet(name: string): FnoEntitySetInfo | undefined;
  store: FnoStore;
  now(): Date;
}

/** A failure with the HTTP status and message F&O would answer with; rendered by fnoErrorResponse. */
export class FnoError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The .NET exception type F&O reports in `innererror.type`. */
    readonly innerType = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataException',
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'FnoError';
  }
}

export interface FnoHandlerContext {
  service: FnoService;
  /** Object id of the caller (the application user of a client-credentials token, or the signed-in user). */
  userId: string;
}

/** Returns undefined when the request is not for this handler, so handlers chain. */
export type FnoHandler = (req: EmulatorRequest, ctx: FnoHandlerContext) => Promise<EmulatorResponse | undefined>;

/**
 * A feature mounted on the F&O listener. `handlers` run after authentication, throttling and faults, before /data
 * (so they may also answer /data actions such as the Data Management ones). `publicHandlers` run before
 * authentication, with userId '' (e.g. SAS-signed blob URLs, which carry no bearer token).
 */
export interface FnoExtension {
  name: string;
  handlers?: FnoHandler[];
  publicHandlers?: FnoHandler[];
  close?(): void | Promise<void>;
}

export type FnoExtensionFactory = (service: FnoService) => FnoExtension;
