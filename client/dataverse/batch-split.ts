/**
 * Splits work into `$batch` requests Dataverse accepts (at most 1,000 operations each) and runs them. A change set
 * is never cut: it is atomic only inside one request. Content-ID references resolve only within their change set
 * (checked by planBatch), so keeping change sets whole keeps every reference chain whole too.
 */
import { D365Error } from '../http/errors';
import type { BatchGroup } from './batch-plan';

/** Dataverse's limit per `$batch` request, change-set operations included. */
export const DATAVERSE_MAX_BATCH_OPERATIONS = 1000;
/** Small enough that one throttled or failed request costs little, large enough to save round trips. */
export const DEFAULT_MAX_OPERATIONS_PER_BATCH = 100;

function checkLimit(maxOperations: number): void {
  if (!Number.isInteger(maxOperations) || maxOperations < 1 || maxOperations > DATAVERSE_MAX_BATCH_OPERATIONS) {
    throw new D365Error(`Batch: maxOperationsPerBatch must be an integer from 1 to ${DATAVERSE_MAX_BATCH_OPERATIONS} (got ${maxOperations}).`, {
      code: 'InvalidBatchOperation',
    });
  }
}

/**
 * Packs groups, in order, into chunks of at most `maxOperations` operations. A change set larger than the chosen
 * size (but within Dataverse's 1,000) goes alone in its own request; one larger than 1,000 cannot be sent.
 */
export function splitBatch(groups: BatchGroup[], maxOperations = DEFAULT_MAX_OPERATIONS_PER_BATCH): BatchGroup[][] {
  checkLimit(maxOperations);
  const chunks: BatchGroup[][] = [];
  let current: BatchGroup[] = [];
  let size = 0;
  for (const group of groups) {
    const count = group.operations.length;
    if (count > DATAVERSE_MAX_BATCH_OPERATIONS) {
      throw new D365Error(
        `Batch: the change set starting at operation #${group.operations[0].index} has ${count} operations; Dataverse allows at most ` +
          `${DATAVERSE_MAX_BATCH_OPERATIONS} in one change set. Split it into smaller change sets (each is atomic on its own).`,
        { code: 'InvalidBatchOperation', batchIndex: group.operations[0].index },
      );
    }
    if (size > 0 && size + count > maxOperations) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(group);
    size += count;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Runs `run` for every chunk, `concurrency` at a time, starting them in order. Once `shouldStop()` says so no
 * further chunk starts (those already in flight finish); returns which chunks ran.
 */
export async function runChunks<T>(
  chunks: T[],
  concurrency: number,
  run: (chunk: T, position: number) => Promise<void>,
  shouldStop: () => boolean,
): Promise<boolean[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new D365Error(`Batch: concurrency must be a positive integer (got ${concurrency}).`, { code: 'InvalidBatchOperation' });
  }
  const started = chunks.map(() => false);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length && !shouldStop()) {
      const position = next++;
      started[position] = true;
      await run(chunks[position], position);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
  return started;
}
