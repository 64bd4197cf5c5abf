/**
 * How many requests one connection keeps in flight, adapted like TCP congestion control (AIMD): start from the
 * service's x-ms-dop-hint, halve on a 429, add one after a run of clean answers. Dataverse's concurrency limit is per
 * user across all of that user's clients, so the right number is learned, not configured.
 */
import { D365Error } from './errors';
import type { EventSink } from './types';

export interface ConcurrencyLimiterOptions {
  /** Limit before any x-ms-dop-hint was seen. */
  initial?: number;
  min?: number;
  /** Upper bound; default twice the first dop hint (52, Dataverse's per-user limit, before one is seen). */
  max?: number;
  /** Clean responses needed for each +1. */
  increaseAfter?: number;
  events?: EventSink;
}

export interface LimiterSlot {
  /** The limiter's epoch when the slot was granted (see release). */
  readonly epoch: number;
}

/** rateLimited: a 429 for the request count, which a pause answers and fewer slots would not. */
export type SlotOutcome = 'ok' | 'throttled' | 'rateLimited' | 'failed';

export interface LimiterStats {
  limit: number;
  max: number;
  inFlight: number;
  queued: number;
  dopHint?: number;
}

interface Waiter {
  grant(slot: LimiterSlot): void;
}

export const DATAVERSE_CONCURRENCY_LIMIT = 52;

export class ConcurrencyLimiter {
  private limit: number;
  private max: number;
  private readonly min: number;
  private readonly increaseAfter: number;
  private readonly maxFixed: boolean;
  private readonly events?: EventSink;
  private inFlight = 0;
  private cleanRun = 0;
  private epoch = 0;
  private dopHint?: number;
  private readonly queue: Waiter[] = [];
  private resumeAt = 0;
  /** How many requests the service's remaining budget still admits (Infinity until a budget header is seen). */
  private budgetCap = Infinity;
  /** Whether the service sends budget headers; without them only a success can lift the cap a 429 set. */
  private budgetHeaders = false;

  constructor(options: ConcurrencyLimiterOptions = {}) {
    this.min = Math.max(1, options.min ?? 1);
    this.maxFixed = options.max !== undefined;
    this.max = Math.max(this.min, options.max ?? DATAVERSE_CONCURRENCY_LIMIT);
    this.limit = this.clamp(options.initial ?? 4);
    this.increaseAfter = Math.max(1, options.increaseAfter ?? 10);
    this.events = options.events;
  }

  /** Waits (FIFO) for a free slot; an abort removes the caller from the queue. */
  /**
   * A 429's Retry-After applies to the user, not to one request: until then, new requests of this connection
   * wait instead of each spending a request on a certain refusal.
   */
  pauseUntil(epochMs: number): void {
    this.resumeAt = Math.max(this.resumeAt, epochMs);
  }

  isPaused(now: number = Date.now()): boolean {
    return this.resumeAt > now;
  }

  /** Resolves once no Retry-After pause is in force (re-checked, since a pause can be extended meanwhile). */
  async waitForResume(signal?: AbortSignal, now: () => number = Date.now): Promise<void> {
    for (let wait = this.resumeAt - now(); wait > 0; wait = this.resumeAt - now()) {
      if (signal?.aborted) throw this.cancelled(signal);
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          reject(this.cancelled(signal));
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, wait);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  acquire(signal?: AbortSignal): Promise<LimiterSlot> {
    if (signal?.aborted) return Promise.reject(this.cancelled(signal));
    if (this.queue.length === 0 && this.inFlight < this.effectiveLimit()) {
      this.inFlight++;
      return Promise.resolve({ epoch: this.epoch });
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(this.cancelled(signal));
      };
      const waiter: Waiter = {
        grant: (slot) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(slot);
        },
      };
      this.queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Frees the slot and learns from its outcome. A 429 halves the limit only if the slot was granted after the last
   * decrease: the requests already in flight were sent at the old rate, and counting each of their 429s would
   * collapse the limit to 1 after a single burst.
   */
  release(slot: LimiterSlot, outcome: SlotOutcome): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (outcome === 'throttled') this.onThrottle(slot);
    else if (outcome === 'rateLimited') this.onRateLimited();
    else if (outcome === 'ok') this.onClean();
    this.drain();
  }

  /** The service's recommended parallelism; the first one seen replaces the initial guess. */
  observeDopHint(value: string | undefined): void {
    const hint = value === undefined ? NaN : Number.parseInt(value, 10);
    if (!Number.isInteger(hint) || hint < 1 || hint === this.dopHint) return;
    const first = this.dopHint === undefined;
    this.dopHint = hint;
    if (!this.maxFixed) this.max = Math.max(this.min, Math.min(DATAVERSE_CONCURRENCY_LIMIT, 2 * hint));
    this.setLimit(first ? hint : this.limit, `x-ms-dop-hint ${hint}`);
  }

  /**
   * x-ms-ratelimit-burst-remaining-xrm-requests, read as a hint (Microsoft says not to depend on it, and nothing
   * here does: Retry-After still governs). Near the end of the budget one request goes at a time: the figure does
   * not count requests already on their way, so several in flight would each meet a 429 where one probe suffices.
   */
  observeBudget(remaining: string | undefined, requestWeight: number): void {
    const left = remaining === undefined ? NaN : Number.parseInt(remaining.replace(/,/g, ''), 10);
    if (!Number.isFinite(left)) return;
    this.budgetHeaders = true;
    this.budgetCap = left / Math.max(1, requestWeight) >= 2 * this.limit ? Infinity : 1;
    this.drain();
  }

  private effectiveLimit(): number {
    return Math.min(this.limit, this.budgetCap);
  }

  stats(): LimiterStats {
    return { limit: this.limit, max: this.max, inFlight: this.inFlight, queued: this.queue.length, dopHint: this.dopHint };
  }

  private onThrottle(slot: LimiterSlot): void {
    this.cleanRun = 0;
    if (slot.epoch !== this.epoch) return;
    this.epoch++;
    this.setLimit(Math.floor(this.limit / 2), 'throttled (429): halved');
  }

  /** The budget is spent: after the pause, one request finds out whether it has come back before the rest follow. */
  private onRateLimited(): void {
    this.cleanRun = 0;
    this.budgetCap = 1;
  }

  private onClean(): void {
    if (!this.budgetHeaders) this.budgetCap = Infinity;
    if (++this.cleanRun < this.increaseAfter || this.limit >= this.max) return;
    this.cleanRun = 0;
    this.setLimit(this.limit + 1, `${this.increaseAfter} clean responses: +1`);
  }

  private setLimit(value: number, reason: string): void {
    const next = this.clamp(value);
    if (next === this.limit) return;
    this.limit = next;
    this.events?.({ type: 'concurrency', limit: next, reason });
    this.drain();
  }

  private drain(): void {
    while (this.queue.length > 0 && this.inFlight < this.effectiveLimit()) {
      this.inFlight++;
      this.queue.shift()!.grant({ epoch: this.epoch });
    }
  }

  private clamp(value: number): number {
    return Math.min(this.max, Math.max(this.min, Math.floor(value)));
  }

  private cancelled(signal?: AbortSignal): D365Error {
    return new D365Error('the request was cancelled by the caller while waiting for a free connection slot', {
      code: 'ABORTED',
      retryable: false,
      cause: signal?.reason,
    });
  }
}
