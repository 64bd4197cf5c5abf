/**
 * One retry loop per send, driven by strategies (throttling, transient) that each judge an outcome. The loop owns
 * the shared state — attempts made and time spent — so a request that meets both 429s and 503s is bounded once,
 * not once per kind of failure.
 */
import { sleep } from './abort';
import { D365Error } from './errors';
import { errorFromResponse } from './response-error';
import type { ServiceKind } from './service-limits';
import type { EventSink, HttpRequest, HttpResponse, Policy } from './types';

export interface RetryOptions {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** Wall time from the first attempt after which no further retry is started. */
  timeBudgetMs: number;
  /** First backoff step for transient failures; doubles per attempt. */
  baseDelayMs: number;
  /** Cap of one backoff step (Retry-After is obeyed even when longer, within the time budget). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 5,
  timeBudgetMs: 120_000,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
});

export interface AttemptOutcome {
  response?: HttpResponse;
  error?: unknown;
}

export interface RetryContext {
  request: HttpRequest;
  /** 1 after the first attempt. */
  attempt: number;
  options: RetryOptions;
  random: () => number;
}

export type RetryDecision =
  | { retry: true; delayMs: number; reason: string; throttle?: { limit: string; retryAfterMs: number } }
  | { retry: false; error: D365Error };

export interface RetryStrategy {
  name: string;
  /** undefined: not this strategy's concern. */
  decide(outcome: AttemptOutcome, context: RetryContext): RetryDecision | undefined;
}

export interface RetryPolicyOptions {
  retry?: Partial<RetryOptions>;
  events?: EventSink;
  random?: () => number;
  now?: () => number;
  service?: ServiceKind;
  /** Current concurrency limit, reported with 'throttle' events. */
  concurrency?: () => number | undefined;
}

function giveUp(outcome: AttemptOutcome, why: string, service?: ServiceKind): never {
  if (outcome.response) throw errorFromResponse(outcome.response, { note: why, service });
  const error = outcome.error;
  if (error instanceof D365Error) {
    throw new D365Error(`${error.message} ${why}`, { ...error, retryable: error.retryable, cause: error });
  }
  throw error;
}

export function retryPolicy(strategies: RetryStrategy[], options: RetryPolicyOptions = {}): Policy {
  const retry: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  return {
    name: 'retry',
    async send(request, next) {
      const startedAt = now();
      for (let attempt = 1; ; attempt++) {
        const outcome: AttemptOutcome = {};
        try {
          outcome.response = await next(request);
        } catch (error) {
          outcome.error = error;
        }
        const context: RetryContext = { request, attempt, options: retry, random };
        let decision: RetryDecision | undefined;
        for (const strategy of strategies) {
          decision = strategy.decide(outcome, context);
          if (decision) break;
        }
        if (!decision) {
          if (outcome.response) return outcome.response;
          throw outcome.error;
        }
        if (!decision.retry) throw decision.error;

        const url = request.url;
        if (decision.throttle) {
          options.events?.({ type: 'throttle', method: request.method, url, ...decision.throttle, concurrency: options.concurrency?.() });
        }
        const elapsedMs = now() - startedAt;
        if (attempt >= retry.maxAttempts) {
          giveUp(outcome, `Gave up after ${attempt} attempts in ${(elapsedMs / 1000).toFixed(1)} s.`, options.service);
        }
        // Starting a wait that ends past the budget only delays the same failure; report it now instead.
        if (elapsedMs + decision.delayMs > retry.timeBudgetMs) {
          giveUp(
            outcome,
            `Gave up after ${attempt} attempt(s): waiting ${(decision.delayMs / 1000).toFixed(1)} s more would exceed the retry time budget of ${(retry.timeBudgetMs / 1000).toFixed(0)} s.`,
            options.service,
          );
        }
        options.events?.({ type: 'retry', method: request.method, url, attempt, delayMs: Math.round(decision.delayMs), reason: decision.reason });
        await sleep(decision.delayMs, request);
      }
    },
  };
}
