/**
 * Waiting for a Data management execution: GetExecutionSummaryStatus polled with a growing pause, inside an overall
 * time budget. Jobs queue behind F&O's batch framework and can take minutes, so the budget, not a retry count,
 * bounds the wait; when it runs out the error names the execution and its last status, because the job may still
 * finish in F&O and can be polled again later.
 */
import { sleep } from '../http/abort';
import { D365Error } from '../http/errors';
import { callCollectionAction } from './actions';
import type { CallOptions, FnoContext } from './context';
import { invalidArgument, invalidResponse } from './errors';

export const DMF_SET = 'DataManagementDefinitionGroups';

export type ExecutionStatus = 'Unknown' | 'NotRun' | 'Executing' | 'Succeeded' | 'PartiallySucceeded' | 'Failed' | 'Canceled';

const FINAL = new Set<ExecutionStatus>(['Succeeded', 'PartiallySucceeded', 'Failed', 'Canceled']);
const KNOWN = new Set<string>(['Unknown', 'NotRun', 'Executing', ...FINAL]);

export interface PollOptions extends CallOptions {
  /** Longest total wait, from the first status call; default 30 minutes. */
  timeBudgetMs?: number;
  /** First pause between two status calls; default 1 s, doubled each time. */
  initialDelayMs?: number;
  /** Longest pause; default 30 s. */
  maxDelayMs?: number;
  /** Told every status read, e.g. to show progress. */
  onStatus?: (status: ExecutionStatus, executionId: string) => void;
}

export function isFinalStatus(status: string): status is ExecutionStatus {
  return FINAL.has(status as ExecutionStatus);
}

export async function executionStatus(ctx: FnoContext, executionId: string, options: CallOptions = {}): Promise<ExecutionStatus> {
  const value = await callCollectionAction<unknown>(ctx, DMF_SET, 'GetExecutionSummaryStatus', { executionId }, { ...options, idempotent: true });
  if (typeof value !== 'string' || !KNOWN.has(value)) throw invalidResponse(`GetExecutionSummaryStatus of '${executionId}' answered ${JSON.stringify(value)?.slice(0, 80)}, not an execution status.`);
  return value as ExecutionStatus;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalidArgument(`${name} must be a number of milliseconds; got ${String(value)}.`);
  return value;
}

export function timeBudgetExceeded(executionId: string, budgetMs: number, last: ExecutionStatus): D365Error {
  return new D365Error(
    `Data management execution '${executionId}' did not finish within the time budget of ${budgetMs} ms; its last status was ${last}. ` +
      'It may still finish in F&O: poll it again with waitForExecution, or look it up under Data management > Job history.',
    { code: 'TimeBudgetExceeded', retryable: false, operation: `wait for ${executionId}` },
  );
}

/** Polls until the execution reaches a final status; throws TimeBudgetExceeded when the budget runs out first. */
export async function waitForExecution(ctx: FnoContext, executionId: string, options: PollOptions = {}): Promise<ExecutionStatus> {
  if (typeof executionId !== 'string' || !executionId.trim()) throw invalidArgument('An execution id is required.');
  const budget = positive(options.timeBudgetMs, 30 * 60_000, 'timeBudgetMs');
  const maxDelay = Math.max(1, positive(options.maxDelayMs, 30_000, 'maxDelayMs'));
  let delay = Math.min(maxDelay, Math.max(1, positive(options.initialDelayMs, 1_000, 'initialDelayMs')));
  const started = Date.now();
  const request = { method: 'POST' as const, operation: `wait for ${executionId}`, signal: options.signal, url: '', headers: {} };
  for (;;) {
    const status = await executionStatus(ctx, executionId, options);
    options.onStatus?.(status, executionId);
    if (isFinalStatus(status)) return status;
    const remaining = budget - (Date.now() - started);
    if (remaining <= 0) throw timeBudgetExceeded(executionId, budget, status);
    // The last pause is cut to the budget, so the final status call happens right at its end.
    await sleep(Math.min(delay, remaining), request);
    delay = Math.min(maxDelay, delay * 2);
  }
}
