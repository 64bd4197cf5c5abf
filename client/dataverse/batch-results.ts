/**
 * Maps a `$batch` answer back to the operations that were sent, so every operation gets a result saying what
 * happened to it. Dataverse does not answer every operation: without continue-on-error it stops at the first
 * failure and sends only the failing part (status 400), and a failed change set answers with the failing part
 * alone. Operations are matched by Content-ID where the answer echoes one, by position otherwise.
 */
import { D365Error } from '../http/errors';
import type { HttpResponse } from '../http/types';
import { malformed } from './batch-multipart';
import { answered, isRetryableStatus, requestIdOf, serviceFault, unanswered } from './batch-outcomes';
import type { BatchGroup, PlannedOperation } from './batch-plan';
import { batchResponseBoundary, BatchPartResponse, BatchResponseItem, parseBatchResponse } from './batch-response';
import type { BatchOperation, BatchResult } from './batch-types';

type Answer = Pick<HttpResponse, 'status' | 'headers' | 'body'>;

function responsesOf(item: BatchResponseItem): BatchPartResponse[] {
  return item.kind === 'changeset' ? item.responses : [item.response];
}

function faultError(part: BatchPartResponse, what: string): D365Error {
  const fault = serviceFault(part.body);
  return new D365Error(`${what}: ${fault.message ?? 'no error details'} (HTTP ${part.status}${fault.code ? `, code ${fault.code}` : ''}).`, {
    status: part.status,
    code: fault.code,
    requestId: requestIdOf(part.headers),
    retryable: isRetryableStatus(part.status),
  });
}

function changeSetResults(operations: BatchOperation[], members: PlannedOperation[], responses: BatchPartResponse[]): BatchResult[] {
  const byMember = new Map<number, BatchPartResponse>();
  const unmatched: BatchPartResponse[] = [];
  for (const response of responses) {
    const member = members.findIndex((m, i) => m.wireContentId !== undefined && m.wireContentId === response.contentId && !byMember.has(i));
    if (member >= 0) byMember.set(member, response);
    else unmatched.push(response);
  }
  // Position is trustworthy only when the change set answered every one of its operations.
  if (unmatched.length > 0 && responses.length === members.length) {
    for (const response of unmatched) byMember.set(members.findIndex((_m, i) => !byMember.has(i)), response);
    unmatched.length = 0;
  }
  const failure = unmatched.find((r) => r.status >= 400);
  if (failure) {
    const cause = faultError(failure, 'an operation of the change set failed');
    const reason = `rolled back: an operation of its change set failed and the answer does not say which (${cause.message}).`;
    return members.map((m) => unanswered(m.index, operations[m.index], 'rolledBack', reason, cause));
  }
  if (unmatched.length > 0) throw malformed(`a change set answer has a part with Content-ID ${JSON.stringify(unmatched[0].contentId ?? null)} that matches none of its operations.`);
  const firstFailed = members.findIndex((_m, i) => (byMember.get(i)?.status ?? 0) >= 400);
  if (firstFailed < 0) {
    return members.map((m, i) => {
      const response = byMember.get(i);
      return response ? answered(m.index, operations[m.index], response) : unanswered(m.index, operations[m.index], 'unknown', 'the change set answer has no part for this operation.');
    });
  }
  const failed = answered(members[firstFailed].index, operations[members[firstFailed].index], byMember.get(firstFailed)!);
  return members.map((m, i) => {
    const response = byMember.get(i);
    if (response && response.status >= 400) return i === firstFailed ? failed : answered(m.index, operations[m.index], response);
    const reason = `rolled back: operation #${failed.index} of the same change set failed, so none of the change set was applied.`;
    return unanswered(m.index, operations[m.index], 'rolledBack', reason, failed.error);
  });
}

function groupResults(operations: BatchOperation[], group: BatchGroup, item: BatchResponseItem): BatchResult[] {
  const responses = responsesOf(item);
  if (group.changeSet) return changeSetResults(operations, group.operations, responses);
  if (responses.length !== 1) throw malformed(`a single operation is answered by a change set of ${responses.length} parts.`);
  const [planned] = group.operations;
  return [answered(planned.index, operations[planned.index], responses[0])];
}

/** The group an answer belongs to, from an echoed Content-ID (failing parts first). */
function locate(groups: BatchGroup[], item: BatchResponseItem): number | undefined {
  const responses = [...responsesOf(item)].sort((a, b) => Number(b.status >= 400) - Number(a.status >= 400));
  for (const response of responses) {
    if (response.contentId === undefined) continue;
    const found = groups.findIndex((g) => g.operations.some((m) => m.wireContentId === response.contentId));
    if (found >= 0) return found;
  }
  return undefined;
}

function ambiguousStop(operations: BatchOperation[], groups: BatchGroup[], failing: BatchPartResponse): BatchResult[] {
  const cause = faultError(failing, 'Dataverse stopped the batch at a failing operation');
  const reason =
    `the batch stopped at a failing operation, but the answer does not say which (${cause.message}); operations before it ` +
    'were applied, it and those after it were not. Give the operations a contentId, or use continueOnError, to know exactly.';
  return groups.flatMap((g) => g.operations.map((m) => unanswered(m.index, operations[m.index], 'unknown', reason, cause)));
}

function assign(operations: BatchOperation[], groups: BatchGroup[], items: BatchResponseItem[]): BatchResult[] {
  const n = groups.length;
  const m = items.length;
  if (m > n) throw malformed(`it has ${m} parts for ${n} requests.`);
  const results: BatchResult[] = [];
  if (m === n) {
    groups.forEach((group, i) => results.push(...groupResults(operations, group, items[i])));
    return results;
  }
  const last = items[m - 1];
  const failing = last ? responsesOf(last).find((r) => r.status >= 400) : undefined;
  if (!last || !failing) throw malformed(`it answers ${m} of ${n} requests without reporting a failure.`);
  // With more than one part the answer kept the earlier ones, so position tells where the batch stopped.
  const stop = locate(groups, last) ?? (m > 1 ? m - 1 : undefined);
  if (stop === undefined) return ambiguousStop(operations, groups, failing);
  if (stop < m - 1) throw malformed(`its last part belongs to request ${stop + 1}, yet ${m - 1} parts come before it.`);
  for (let i = 0; i < m - 1; i++) results.push(...groupResults(operations, groups[i], items[i]));
  // Dataverse runs in order and stops at the first failure: what came before succeeded, its answer was left out.
  for (let i = m - 1; i < stop; i++) results.push(...groups[i].operations.map((p) => unanswered(p.index, operations[p.index], 'succeeded')));
  const stopped = groupResults(operations, groups[stop], last);
  results.push(...stopped);
  const failed = stopped.find((r) => r.outcome === 'failed') ?? stopped.find((r) => r.error);
  const reason = `not executed: the batch stopped at operation #${failed?.index}, which failed (continueOnError runs the rest).`;
  for (let i = stop + 1; i < n; i++) results.push(...groups[i].operations.map((p) => unanswered(p.index, operations[p.index], 'notExecuted', reason, failed?.error)));
  return results;
}

function parseJsonOrText(body: Buffer): unknown {
  const text = body.toString('utf8').trim();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The whole request was answered without a multipart: nothing ran (4xx), or nobody can say (5xx, gateways). */
function wholeRequestFailed(operations: BatchOperation[], planned: PlannedOperation[], answer: Answer): BatchResult[] {
  if (answer.status < 400) {
    const error = malformed(`it is not multipart/mixed (HTTP ${answer.status}, Content-Type ${JSON.stringify(answer.headers['content-type'] ?? 'none')}).`);
    return planned.map((p) => unanswered(p.index, operations[p.index], 'unknown', `the $batch answer cannot be read: ${error.message}`, error));
  }
  const fault = serviceFault(parseJsonOrText(answer.body));
  const cause = new D365Error(`The $batch request failed: ${fault.message ?? 'no error details'} (HTTP ${answer.status}${fault.code ? `, code ${fault.code}` : ''}).`, {
    status: answer.status,
    code: fault.code,
    requestId: requestIdOf(answer.headers),
    retryable: isRetryableStatus(answer.status),
  });
  const refused = answer.status < 500 && answer.status !== 408;
  const reason = refused ? `not executed: Dataverse refused the whole $batch request (${cause.message})` : `unknown: ${cause.message} It may or may not have been applied.`;
  return planned.map((p) => unanswered(p.index, operations[p.index], refused ? 'notExecuted' : 'unknown', reason, cause));
}

/**
 * Results for the operations of `groups`, in their order. Never throws for a bad answer: a malformed one gives
 * `unknown` results carrying a D365Error (code MalformedBatchResponse) that says what was wrong.
 */
export function mapBatchResponse(operations: BatchOperation[], groups: BatchGroup[], answer: Answer): BatchResult[] {
  const planned = groups.flatMap((g) => g.operations);
  if (!batchResponseBoundary(answer.body, answer.headers['content-type'])) return wholeRequestFailed(operations, planned, answer);
  try {
    return assign(operations, groups, parseBatchResponse(answer.body, answer.headers['content-type'], planned.length));
  } catch (e) {
    if (!(e instanceof D365Error)) throw e;
    const error = new D365Error(e.message, { code: e.code, status: answer.status, requestId: requestIdOf(answer.headers), cause: e });
    return planned.map((p) => unanswered(p.index, operations[p.index], 'unknown', `the $batch answer cannot be read: ${e.message}`, error));
  }
}
