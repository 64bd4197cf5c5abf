import { seededRandom } from './prng';
import { parseFaultSpec } from './spec-parser';
import type { Fault, FaultConfig, FaultFilter, FaultKind, FaultRequest, FaultRule } from './fault-types';

export interface FaultStats {
  /** Seed of the built-in PRNG; undefined when the caller supplied its own random(). */
  seed: number | undefined;
  decisions: number;
  injected: number;
  byKind: Partial<Record<FaultKind, number>>;
  scriptPending: number;
}

export interface FaultInjector {
  /** The fault for this request, or undefined to handle it normally. */
  decide(req: FaultRequest): Fault | undefined;
  /**
   * Queues faults for the next requests matching `filter` (default: the injector's own filter),
   * one each, in order, ahead of the random rules.
   */
  script(faults: Fault[], filter?: FaultFilter): void;
  /** With faults: replaces the random rules by one rule. Without: sets every rule's probability. */
  setRate(probability: number, faults?: Fault[]): void;
  /** Drops random rules and pending scripted faults. */
  clear(): void;
  stats(): FaultStats;
}

interface ScriptedFault {
  fault: Fault;
  filter: FaultFilter;
}

export function createFaultInjector(config: FaultConfig | string = { rules: [] }, random?: () => number): FaultInjector {
  const parsed = typeof config === 'string' ? parseFaultSpec(config) : config;
  const seed = random ? parsed.seed : (parsed.seed ?? Math.floor(Math.random() * 0x100000000));
  const dice = random ?? seededRandom(seed as number);
  const filter: FaultFilter = { paths: parsed.paths, methods: parsed.methods, userIds: parsed.userIds };
  let rules: FaultRule[] = parsed.rules.map((rule) => checkedRule(rule.probability, rule.faults));
  const queue: ScriptedFault[] = (parsed.script ?? []).map((fault) => ({ fault, filter }));
  let decisions = 0;
  let injected = 0;
  const byKind: Partial<Record<FaultKind, number>> = {};

  const count = (fault: Fault): Fault => {
    injected += 1;
    byKind[fault.kind] = (byKind[fault.kind] ?? 0) + 1;
    return fault;
  };

  return {
    decide(req) {
      decisions += 1;
      const scripted = queue.findIndex((entry) => matches(entry.filter, req));
      if (scripted >= 0) return count(queue.splice(scripted, 1)[0].fault);
      if (!matches(filter, req)) return undefined;
      for (const rule of rules) {
        // Always draw, even for probability 0, so changing one rule does not shift the others' dice.
        if (dice() >= rule.probability) continue;
        const pick = rule.faults.length === 1 ? 0 : Math.floor(dice() * rule.faults.length);
        return count(rule.faults[pick]);
      }
      return undefined;
    },
    script(faults, scriptFilter = filter) {
      for (const fault of faults) queue.push({ fault, filter: scriptFilter });
    },
    setRate(probability, faults) {
      rules = faults ? [checkedRule(probability, faults)] : rules.map((rule) => checkedRule(probability, rule.faults));
    },
    clear() {
      rules = [];
      queue.length = 0;
    },
    stats: () => ({ seed, decisions, injected, byKind: { ...byKind }, scriptPending: queue.length }),
  };
}

function checkedRule(probability: number, faults: Fault[]): FaultRule {
  if (!(probability >= 0 && probability <= 1)) throw new RangeError(`Fault probability must be in [0,1], got ${probability}`);
  if (faults.length === 0) throw new RangeError('A fault rule needs at least one fault');
  return { probability, faults: [...faults] };
}

function matches(filter: FaultFilter, req: FaultRequest): boolean {
  if (filter.paths && !filter.paths.some((prefix) => req.path.startsWith(prefix))) return false;
  if (filter.methods && !filter.methods.includes(req.method.toUpperCase())) return false;
  if (filter.userIds && (req.userId === undefined || !filter.userIds.includes(req.userId))) return false;
  return true;
}
