/**
 * Which service protection limit a 429 reports. Dataverse documents hex codes in Web API bodies while Microsoft's
 * .NET client compares the decimal form; either may reach us (proxies, recorded fixtures), in any letter case.
 */
import type { ServiceLimit } from './errors';

const DATAVERSE_THROTTLE_CODES: ReadonlyArray<[ServiceLimit, string, string]> = [
  ['dataverse-requests', '0x80072322', '-2147015902'],
  ['dataverse-execution-time', '0x80072321', '-2147015903'],
  ['dataverse-concurrency', '0x80072326', '-2147015898'],
];

export type ServiceKind = 'dataverse' | 'fno';

export function dataverseLimitForCode(code: string | undefined): ServiceLimit | undefined {
  const normalized = code?.trim().toLowerCase();
  if (!normalized) return undefined;
  for (const [limit, hex, decimal] of DATAVERSE_THROTTLE_CODES) {
    if (normalized === hex || normalized === decimal) return limit;
  }
  return undefined;
}

/**
 * F&O answers throttled OData and custom-service calls with 429 under /data/ and /api/services/ (finance-operations
 * reference §3); Dataverse's Web API lives under /api/data/.
 */
export function inferServiceKind(url: string): ServiceKind | undefined {
  let path: string;
  try {
    path = new URL(url).pathname.toLowerCase();
  } catch {
    return undefined;
  }
  if (path.startsWith('/api/data/')) return 'dataverse';
  if (path.startsWith('/data/') || path === '/data' || path.startsWith('/api/services/') || path.startsWith('/api/connector/')) return 'fno';
  return undefined;
}

export function classifyThrottle(code: string | undefined, url: string, service?: ServiceKind): ServiceLimit {
  const dataverse = dataverseLimitForCode(code);
  if (dataverse) return dataverse;
  if ((service ?? inferServiceKind(url)) === 'fno') return 'fno-throttling';
  return 'unknown-throttling';
}
