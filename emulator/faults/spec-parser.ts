import {
  DEFAULT_RESET_AFTER_BYTES,
  DEFAULT_SLOW_MS,
  FAULT_KINDS,
  type Fault,
  type FaultConfig,
  type FaultKind,
} from './fault-types';

/** Thrown for a malformed spec; `token` is the offending piece, quoted in the message. */
export class FaultSpecError extends Error {
  constructor(
    readonly token: string,
    reason: string,
  ) {
    super(`Invalid fault spec token "${token}": ${reason}`);
    this.name = 'FaultSpecError';
  }
}

/**
 * Parses the `--faults SPEC` string.
 *
 *   spec     = clause *(";" clause)                (blanks around tokens and empty clauses are ignored)
 *   clause   = "rate=" prob ":" fault *("," fault)  with probability prob, one of the faults (uniformly)
 *            | "slow=" duration "@" prob           shorthand for rate=prob:slow(duration)
 *            | "script=" fault *("," fault)        the next matching requests get exactly these, in order
 *            | "seed=" uint32                      makes the dice reproducible
 *            | "paths=" prefix *("," prefix)       only requests whose path starts with a prefix ("/...")
 *            | "methods=" METHOD *("," METHOD)     only these HTTP methods
 *            | "users=" id *("," id)               only these user ids (token oid)
 *   fault    = kind ["(" arg ")"]
 *   kind     = 429-requests | 429-time | 429-concurrency | 502 | 503 | 504 | 401-revoked | reset | slow
 *   arg      = duration for 429-* (Retry-After, default 1s) and slow (default 1000ms);
 *              byte count for reset (body bytes sent before the socket is destroyed, default 16)
 *   prob     = decimal in [0,1] or percentage: 0.05 | 5%
 *   duration = integer ("ms" | "s")
 *
 * Rate clauses are tried in order for each request; the first hit wins.
 *
 * Examples:
 *   rate=0.1:429-requests,503,502,reset;seed=42;slow=200ms@0.05;paths=/api/data
 *   rate=5%:429-time(30s);methods=POST,PATCH
 *   script=503,503,reset(0)
 */
export function parseFaultSpec(spec: string): FaultConfig {
  const config: FaultConfig = { rules: [] };
  for (const rawClause of spec.split(';')) {
    const clause = rawClause.trim();
    if (!clause) continue;
    const eq = clause.indexOf('=');
    if (eq <= 0) throw new FaultSpecError(clause, 'expected key=value');
    const key = clause.slice(0, eq).trim();
    const value = clause.slice(eq + 1).trim();
    if (!value) throw new FaultSpecError(clause, 'missing value');
    switch (key) {
      case 'rate': {
        const colon = value.indexOf(':');
        if (colon < 0) throw new FaultSpecError(clause, 'expected rate=PROBABILITY:FAULT,...');
        config.rules.push({ probability: parseProbability(value.slice(0, colon)), faults: parseFaults(value.slice(colon + 1)) });
        break;
      }
      case 'slow': {
        const at = value.indexOf('@');
        if (at < 0) throw new FaultSpecError(clause, 'expected slow=DURATION@PROBABILITY');
        const delayMs = parseDuration(value.slice(0, at));
        config.rules.push({ probability: parseProbability(value.slice(at + 1)), faults: [{ kind: 'slow', delayMs }] });
        break;
      }
      case 'script':
        config.script = [...(config.script ?? []), ...parseFaults(value)];
        break;
      case 'seed':
        if (config.seed !== undefined) throw new FaultSpecError(clause, 'seed given twice');
        if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new FaultSpecError(value, 'seed must be an integer 0..4294967295');
        config.seed = Number(value);
        break;
      case 'paths':
        config.paths = [...(config.paths ?? []), ...parseList(value, (p) => p.startsWith('/'), 'path prefix must start with "/"')];
        break;
      case 'methods':
        config.methods = [
          ...(config.methods ?? []),
          ...parseList(value, (m) => /^[A-Za-z]+$/.test(m), 'not an HTTP method').map((m) => m.toUpperCase()),
        ];
        break;
      case 'users':
        config.userIds = [...(config.userIds ?? []), ...parseList(value, () => true, '')];
        break;
      default:
        throw new FaultSpecError(key, 'unknown key (expected rate, slow, script, seed, paths, methods or users)');
    }
  }
  return config;
}

function parseList(value: string, valid: (item: string) => boolean, reason: string): string[] {
  return value.split(',').map((raw) => {
    const item = raw.trim();
    if (!item) throw new FaultSpecError(value, 'empty list item');
    if (!valid(item)) throw new FaultSpecError(item, reason);
    return item;
  });
}

function parseProbability(raw: string): number {
  const token = raw.trim();
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(token);
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : NaN;
  if (!(value >= 0 && value <= 1)) throw new FaultSpecError(token, 'probability must be in [0,1] or 0%..100%');
  return value;
}

function parseDuration(raw: string): number {
  const token = raw.trim();
  const match = /^(\d+)(ms|s)$/.exec(token);
  if (!match) throw new FaultSpecError(token, 'duration must be an integer followed by ms or s, e.g. 200ms');
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

function parseFaults(raw: string): Fault[] {
  return parseList(raw, () => true, '').map(parseFault);
}

function parseFault(token: string): Fault {
  const match = /^([0-9a-z-]+)(?:\((.*)\))?$/.exec(token);
  const kind = match?.[1] as FaultKind | undefined;
  if (!match || !kind || !FAULT_KINDS.includes(kind)) {
    throw new FaultSpecError(token, `unknown fault (expected one of ${FAULT_KINDS.join(', ')})`);
  }
  const arg = match[2]?.trim();
  switch (kind) {
    case '429-requests':
    case '429-time':
    case '429-concurrency':
      return arg === undefined ? { kind } : { kind, retryAfterSeconds: Math.max(1, Math.ceil(parseDuration(arg) / 1000)) };
    case 'slow':
      return { kind, delayMs: arg === undefined ? DEFAULT_SLOW_MS : parseDuration(arg) };
    case 'reset': {
      if (arg !== undefined && !/^\d+$/.test(arg)) throw new FaultSpecError(token, 'reset takes a byte count, e.g. reset(64)');
      return { kind, afterBytes: arg === undefined ? DEFAULT_RESET_AFTER_BYTES : Number(arg) };
    }
    default:
      if (arg !== undefined) throw new FaultSpecError(token, `${kind} takes no argument`);
      return { kind };
  }
}
