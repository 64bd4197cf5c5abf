/**
 * Checks a list of batch operations and groups them into change sets and independent operations, before anything
 * is sent: a mistake found here costs nothing, while the same mistake found by Dataverse can leave half a batch applied.
 */
import { D365Error } from '../http/errors';
import { bodyReferences, CONTENT_ID_PATTERN, pathReference } from './batch-content-id';
import type { BatchOperation } from './batch-types';

export interface PlannedOperation {
  /** Position in the caller's list. */
  index: number;
  /** The Content-ID written on the wire: the caller's, or one assigned because change-set parts need one. */
  wireContentId?: string;
}

export interface BatchGroup {
  /** An atomic change set, or a single independent operation. */
  changeSet: boolean;
  operations: PlannedOperation[];
}

const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Headers the batch writer owns: letting callers set them could break the part's framing. */
const RESERVED_HEADERS = new Set(['content-id', 'content-length', 'content-transfer-encoding']);

export function invalidOperation(index: number, op: Pick<BatchOperation, 'method' | 'path'> | undefined, problem: string): D365Error {
  const path = typeof op?.path === 'string' ? op.path.slice(0, 120) : '?';
  return new D365Error(`Batch operation #${index} (${String(op?.method)} ${path}): ${problem}`, {
    code: 'InvalidBatchOperation',
    batchIndex: index,
  });
}

function checkShape(op: BatchOperation, index: number): void {
  if (op === null || typeof op !== 'object') throw invalidOperation(index, undefined, 'is not an object.');
  if (!METHODS.has(op.method)) throw invalidOperation(index, op, `method must be one of ${[...METHODS].join(', ')}.`);
  if (typeof op.path !== 'string' || op.path.trim() === '') throw invalidOperation(index, op, 'path is empty.');
  // A line break in the path or a header would end the embedded request line or header early (injection).
  if (CONTROL.test(op.path)) throw invalidOperation(index, op, 'path contains a control character or line break.');
  for (const [name, value] of Object.entries(op.headers ?? {})) {
    if (!HEADER_NAME.test(name)) throw invalidOperation(index, op, `header name ${JSON.stringify(name)} is not a valid HTTP header name.`);
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw invalidOperation(index, op, `header ${name} must be a one-line string.`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw invalidOperation(index, op, `header ${name} is set by the batch writer; use contentId for Content-ID.`);
  }
  if (op.body !== undefined && typeof op.body !== 'string' && (op.body === null || typeof op.body !== 'object')) {
    throw invalidOperation(index, op, 'body must be an object or a string.');
  }
  if (op.method === 'GET' && op.body !== undefined) throw invalidOperation(index, op, 'a GET cannot have a body.');
  if (op.contentId !== undefined && (typeof op.contentId !== 'string' || !CONTENT_ID_PATTERN.test(op.contentId))) {
    throw invalidOperation(index, op, 'contentId must be 1-64 characters from A-Z a-z 0-9 - . _ ~ (it is used as $<contentId>).');
  }
  if (op.changeSet !== undefined && (typeof op.changeSet !== 'string' || op.changeSet === '')) {
    throw invalidOperation(index, op, 'changeSet must be a non-empty label.');
  }
}

function groupOperations(operations: BatchOperation[]): BatchGroup[] {
  const groups: BatchGroup[] = [];
  const closedLabels = new Set<string>();
  let current: { label: string; group: BatchGroup } | undefined;
  operations.forEach((op, index) => {
    if (op.changeSet === undefined) {
      if (current) closedLabels.add(current.label);
      current = undefined;
      groups.push({ changeSet: false, operations: [{ index }] });
      return;
    }
    if (op.method === 'GET') throw invalidOperation(index, op, 'GET is not allowed in a change set; leave changeSet unset for reads.');
    if (current?.label === op.changeSet) {
      current.group.operations.push({ index });
      return;
    }
    if (current) closedLabels.add(current.label);
    if (closedLabels.has(op.changeSet)) {
      throw invalidOperation(index, op, `change set '${op.changeSet}' is interrupted by other operations; keep its operations consecutive.`);
    }
    current = { label: op.changeSet, group: { changeSet: true, operations: [{ index }] } };
    groups.push(current.group);
  });
  return groups;
}

/** Where each caller Content-ID is declared: index of the operation and of its group. */
function declareContentIds(operations: BatchOperation[], groups: BatchGroup[]): Map<string, { index: number; group: number }> {
  const declared = new Map<string, { index: number; group: number }>();
  groups.forEach((group, groupIndex) => {
    for (const { index } of group.operations) {
      const id = operations[index].contentId;
      if (id === undefined) continue;
      const earlier = declared.get(id);
      if (earlier) throw invalidOperation(index, operations[index], `contentId '${id}' is already used by operation #${earlier.index}.`);
      declared.set(id, { index, group: groupIndex });
    }
  });
  return declared;
}

function checkReferences(operations: BatchOperation[], groups: BatchGroup[]): void {
  const declared = declareContentIds(operations, groups);
  groups.forEach((group, groupIndex) => {
    for (const { index } of group.operations) {
      const op = operations[index];
      const fromPath = pathReference(op.path);
      for (const id of [...(fromPath === undefined ? [] : [fromPath]), ...bodyReferences(op.body)]) {
        const target = declared.get(id);
        if (!target) throw invalidOperation(index, op, `refers to '$${id}', but no operation has contentId '${id}'.`);
        if (target.index >= index) {
          throw invalidOperation(index, op, `refers to '$${id}' (operation #${target.index}), which does not come before it; a reference must point to an earlier operation.`);
        }
        // OData 4.0 and the Dataverse docs resolve `$n` only inside the change set that created it.
        if (target.group !== groupIndex || !group.changeSet) {
          throw invalidOperation(index, op, `refers to '$${id}' (operation #${target.index}), which is not in the same change set; Content-ID references resolve only within one change set.`);
        }
      }
    }
  });
}

/** Change-set parts must carry a Content-ID; the assigned ones are numbers no caller ID uses. */
function assignWireContentIds(operations: BatchOperation[], groups: BatchGroup[]): void {
  const taken = new Set(operations.map((op) => op.contentId).filter((id): id is string => id !== undefined));
  let next = 1;
  for (const group of groups) {
    for (const planned of group.operations) {
      const own = operations[planned.index].contentId;
      if (own !== undefined) {
        planned.wireContentId = own;
        continue;
      }
      // Independent parts get no invented Content-ID: the docs samples send none there.
      if (!group.changeSet) continue;
      while (taken.has(String(next))) next++;
      planned.wireContentId = String(next++);
    }
  }
}

/** Validates every operation and returns the groups in input order; throws D365Error naming the first bad operation. */
export function planBatch(operations: BatchOperation[]): BatchGroup[] {
  if (!Array.isArray(operations)) throw new D365Error('Batch operations must be an array.', { code: 'InvalidBatchOperation' });
  operations.forEach(checkShape);
  const groups = groupOperations(operations);
  checkReferences(operations, groups);
  assignWireContentIds(operations, groups);
  return groups;
}
