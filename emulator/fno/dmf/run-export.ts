/**
 * The export a Data management job runs: every entity of the project becomes one CSV data file (UTF-8 with BOM,
 * a header row of upper-case field names as Data management writes them, CRLF), listed in Manifest.xml next to
 * PackageHeader.xml, zipped into a package blob. Company-specific entities export the job's legal entity only and
 * leave `dataAreaId` out, as the import takes it from the job.
 */
import type { FnoService } from '../context';
import { writeCsv } from '../package/csv';
import { writeHeader, writeManifest, type ManifestEntity } from '../package/descriptors';
import { writeZip } from '../zip/zip-writer';
import type { BlobStore } from './blob-store';
import type { EntityResult, WorkOutcome } from './executions';
import { valueToCell } from './field-values';
import type { DataProject } from './projects';

export interface ExportRequest {
  service: FnoService;
  blobs: BlobStore;
  project: DataProject;
  company: string;
  packageName: string;
  executionId: string;
  /** ExportToPackagePreview: at most this many rows per entity. */
  limit?: number;
}

export function runExport(req: ExportRequest): WorkOutcome {
  const { service, project, company } = req;
  if (project.entitySets.length === 0) {
    return { status: 'Failed', errors: [`The data project '${project.id}' has no entities to export.`], entities: [] };
  }
  const files: { name: string; data: Buffer }[] = [];
  const manifestEntities: ManifestEntity[] = [];
  const entities: EntityResult[] = [];
  project.entitySets.forEach((entitySet, n) => {
    const info = service.entitySet(entitySet)!;
    const type = service.model.entityTypes.get(info.entityType)!;
    const fields = [...type.allProperties.values()].filter((p) => !(info.companySpecific && p.name === 'dataAreaId')).map((p) => p.name);
    const all = service.store.list(entitySet, info.companySpecific ? { company } : undefined);
    const records = req.limit === undefined ? all : all.slice(0, req.limit);
    const csv = writeCsv([fields.map((f) => f.toUpperCase()), ...records.map((r) => fields.map((f) => valueToCell(r.row[f])))]);
    const fileName = `${entitySet}.csv`;
    files.push({ name: fileName, data: csv });
    manifestEntities.push({ entityName: entitySet, inputFilePath: fileName, sourceFormat: 'CSV', executionUnit: 1, levelInExecutionUnit: 1, sequenceInLevel: n + 1, targetEntity: type.name });
    entities.push({ entityName: entitySet, entitySet, company, stagingRecords: records.length, targetRecords: records.length, errorCount: 0 });
  });
  const zip = writeZip([
    { name: 'Manifest.xml', data: writeManifest({ definitionGroupName: project.id, description: project.id, entities: manifestEntities }) },
    { name: 'PackageHeader.xml', data: writeHeader(project.id) },
    ...files,
  ], service.now());
  const base = req.packageName.replace(/\.zip$/i, '') || project.id;
  const blobName = `${base}-${req.executionId.replace(/[^\w.-]/g, '_')}.zip`;
  req.blobs.put(blobName, zip, 'application/zip');
  return { status: 'Succeeded', errors: [], entities, packageBlob: blobName };
}
