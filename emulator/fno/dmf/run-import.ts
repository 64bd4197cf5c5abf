/**
 * The import a Data management job runs: each data file of the package goes into its entity, row by row, in the
 * job's legal entity. Rows that exist (same key) are updated, others inserted; a row that fails (a value of the
 * wrong type, a missing key, a write the entity refuses) becomes an error naming its file line, and the others
 * still go in, which is what makes a job PartiallySucceeded.
 */
import type { Property } from '../../../client/metadata/model';
import { FnoError, type FnoKey, type FnoRow, type FnoService } from '../context';
import { openPackage, PackageError, type PackageDataFile } from '../package/open-package';
import type { EntityResult, WorkOutcome } from './executions';
import { cellToValue, FieldValueError } from './field-values';
import { resolveEntitySet } from './projects';

/** Errors kept per job; the count stays exact beyond it. */
const MAX_ERRORS = 1_000;

export interface ImportRequest {
  service: FnoService;
  packageBytes: Buffer;
  company: string;
  /** false: stage only (validate every row, write nothing), as `execute: false` does. */
  execute: boolean;
  /** Receives the entity sets the package covers (to remember the project). */
  onEntities?: (entitySets: string[]) => void;
}

export function runImport(req: ImportRequest): WorkOutcome {
  let pkg;
  try {
    pkg = openPackage(req.packageBytes);
  } catch (e) {
    if (e instanceof PackageError) return { status: 'Failed', errors: [e.message], entities: [] };
    throw e;
  }
  const errors: string[] = [];
  let errorCount = 0;
  const addError = (message: string) => {
    errorCount++;
    if (errors.length < MAX_ERRORS) errors.push(message);
  };
  const entities: EntityResult[] = [];
  const sets: string[] = [];
  let written = 0;
  for (const file of pkg.files) {
    const entitySet = resolveEntitySet(req.service, file.entity.entityName) ?? (file.entity.targetEntity && resolveEntitySet(req.service, file.entity.targetEntity));
    if (!entitySet) {
      addError(`Entity '${file.entity.entityName}' does not exist in the target environment.`);
      entities.push({ entityName: file.entity.entityName, company: req.company, stagingRecords: 0, targetRecords: 0, errorCount: file.records.length });
      continue;
    }
    sets.push(entitySet);
    const result = importFile(req, file, entitySet, addError);
    written += result.targetRecords;
    entities.push(result);
  }
  req.onEntities?.(sets);
  if (errors.length < errorCount) errors.push(`… and ${errorCount - errors.length} more errors.`);
  const status = errorCount === 0 ? 'Succeeded' : written > 0 || (!req.execute && entities.some((e) => e.stagingRecords > 0)) ? 'PartiallySucceeded' : 'Failed';
  return { status, errors, entities };
}

function importFile(req: ImportRequest, file: PackageDataFile, entitySet: string, addError: (m: string) => void): EntityResult {
  const { service, company } = req;
  const info = service.entitySet(entitySet)!;
  const type = service.model.entityTypes.get(info.entityType);
  const result: EntityResult = { entityName: file.entity.entityName, entitySet, company, stagingRecords: 0, targetRecords: 0, errorCount: 0 };
  const fail = (line: number | undefined, message: string) => {
    result.errorCount++;
    addError(`${file.entity.entityName}, ${file.entity.inputFilePath}${line !== undefined ? ` line ${line}` : ''}: ${message}`);
  };
  const properties = new Map<string, Property>();
  for (const p of type?.allProperties.values() ?? []) properties.set(p.name.toUpperCase(), p);
  const mapped: (Property | undefined)[] = file.columns.map((c) => properties.get(c.toUpperCase()));
  const unknown = file.columns.filter((_, i) => !mapped[i]);
  if (unknown.length > 0) {
    fail(undefined, `The columns ${unknown.map((c) => `'${c}'`).join(', ')} do not match any field of ${entitySet}; the mapping is incorrect.`);
    result.errorCount = file.records.length;
    return result;
  }
  for (const record of file.records) {
    if (record.values.length !== file.columns.length) {
      fail(record.line, `The record has ${record.values.length} fields but the header has ${file.columns.length}.`);
      continue;
    }
    const row: FnoRow = {};
    try {
      record.values.forEach((cell, i) => {
        const prop = mapped[i]!;
        if (cell === '') return;
        if (prop.name === 'dataAreaId' && info.companySpecific) {
          if (cell.toLowerCase() !== company) throw new FieldValueError(`The row belongs to legal entity '${cell}', but the job imports into '${company}'.`);
          return;
        }
        row[prop.name] = cellToValue(service.model, prop, cell);
      });
    } catch (e) {
      if (!(e instanceof FieldValueError)) throw e;
      fail(record.line, e.message);
      continue;
    }
    if (info.companySpecific) row.dataAreaId = company;
    const key: FnoKey = {};
    const missing = info.key.filter((k) => row[k] === undefined || row[k] === '');
    if (missing.length > 0) {
      fail(record.line, `The key field${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} empty.`);
      continue;
    }
    for (const k of info.key) key[k] = row[k] as string | number | boolean;
    result.stagingRecords++;
    if (!req.execute) continue;
    try {
      if (service.store.get(entitySet, key)) {
        const changes = { ...row };
        for (const k of info.key) delete changes[k];
        service.store.update(entitySet, key, changes);
      } else {
        service.store.insert(entitySet, row, { company });
      }
      result.targetRecords++;
    } catch (e) {
      if (!(e instanceof FnoError)) throw e;
      fail(record.line, e.message);
    }
  }
  return result;
}
