import type * as crypto from 'node:crypto';

export interface EntraAppConfig {
  clientId: string;
  displayName?: string;
  secrets?: string[];
  /** PEM certificates registered as credentials ("Certificates & secrets" in the portal). */
  certificates?: string[];
  /** When empty or absent, only http(s) loopback redirect URIs are accepted. */
  redirectUris?: string[];
  /** oid (and sub) of app-only tokens: the Dataverse application user; default is a stable GUID from clientId. */
  applicationUserId?: string;
  /** App roles put into app-only tokens (omitted when empty, as Entra does). */
  roles?: string[];
}

export interface EntraUserConfig {
  id: string;
  userPrincipalName: string;
  displayName: string;
}

export interface EntraConfig {
  /** Emulator origin, e.g. https://127.0.0.1:8443 (a trailing slash is ignored). */
  baseUrl: string;
  tenantId: string;
  apps: EntraAppConfig[];
  /** The authorize endpoint signs in the first user (or the one matching login_hint). */
  users: EntraUserConfig[];
  tokenLifetimeSeconds?: number;
  /** Default 90 days, the Entra default. */
  refreshTokenLifetimeSeconds?: number;
  /** Default 600 seconds. */
  authorizationCodeLifetimeSeconds?: number;
  /** Clock in epoch milliseconds (Date.now semantics), for tests. */
  now?: () => number;
}

export interface RegisteredCertificate {
  x509: crypto.X509Certificate;
  publicKey: crypto.KeyObject;
  /** base64url of the raw SHA-1 / SHA-256 digest of the DER, as JOSE x5t / x5t#S256 carry it. */
  x5t: string;
  x5tS256: string;
}

export interface RegisteredApp {
  config: EntraAppConfig;
  certificates: RegisteredCertificate[];
}

export interface AuthorizationCodeRecord {
  clientId: string;
  redirectUri: string;
  userId: string;
  resource: string;
  resourceScopes: string[];
  oidcScopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: 'plain' | 'S256';
  nonce?: string;
  expiresAtMs: number;
  redeemed: boolean;
}

export interface RefreshTokenRecord {
  clientId: string;
  userId: string;
  /** Used when a refresh request names no scope; a request may name another resource (Entra RTs are multi-resource). */
  resource: string;
  resourceScopes: string[];
  oidcScopes: string[];
  issuedAtMs: number;
  issuedSeq: number;
  expiresAtMs: number;
}

/**
 * When something was issued or revoked. `seq` is a per-instance counter: it orders a revocation and a token minted
 * in the same millisecond (or under a fake clock that stands still) the way the calls actually happened.
 */
export interface IssueMark {
  ms: number;
  seq: number;
}

export interface SigningKey {
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  /** kid and x5t (Entra uses the same value for both). */
  kid: string;
  certDerBase64: string;
}

/** Everything the handlers share; one per createEntra call. */
export interface EntraContext {
  baseUrl: string;
  /** host:port of baseUrl, the "authority host" MSAL knows. */
  host: string;
  tenantId: string;
  apps: Map<string, RegisteredApp>;
  users: EntraUserConfig[];
  tokenLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
  authorizationCodeLifetimeSeconds: number;
  nowMs: () => number;
  signingKey: SigningKey;
  codes: Map<string, AuthorizationCodeRecord>;
  refreshTokens: Map<string, RefreshTokenRecord>;
  /** lower-cased subject / client id / upn -> the revocation; anything issued before it is refused. */
  revocations: Map<string, IssueMark>;
  /** uti -> exact issue mark of access tokens (iat has only second precision). */
  issuedByUti: Map<string, IssueMark>;
  sequence: { next: number };
}

export type TenantKind = 'tenant' | 'common' | 'organizations' | 'unknown';
