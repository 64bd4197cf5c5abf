/**
 * Data management as one object: the blob container, the data projects and the jobs, with the operations the
 * package API and recurring integrations share (start an import of a stored package, start an export of a
 * project) and the controls tests need (hold a job forever, cancel it, move an injected clock forward).
 */
import { randomUUID } from 'node:crypto';
import { FnoError, type FnoService } from '../context';
import { runAs } from '../events/acting-user';
import { BlobStore } from './blob-store';
import { Execution, Executions, ExecutionTiming } from './executions';
import { DataProjects } from './projects';
import { runExport } from './run-export';
import { runImport } from './run-import';

export interface DataManagementOptions extends Partial<ExecutionTiming> {
  /** Jobs of these data projects never finish (they stay Executing), for tests of clients that give up. */
  neverFinish?: string[];
  /** Blob container bounds. */
  maxBlobs?: number;
  maxBlobBytes?: number;
}

export class DataManagement {
  readonly blobs: BlobStore;
  readonly projects: DataProjects;
  readonly executions: Executions;
  private readonly neverFinish: Set<string>;
  private sequence = 0;
  /** Where GetMessageStatus looks up recurring-integration messages (each recurring runtime adds itself). */
  readonly messageLookups: ((messageId: string) => string | undefined)[] = [];

  constructor(readonly service: FnoService, options: DataManagementOptions = {}) {
    const now = () => service.now().getTime();
    this.blobs = new BlobStore(() => service.origin, now, { maxBlobs: options.maxBlobs ?? 500, maxTotalBytes: options.maxBlobBytes ?? 1024 * 1024 * 1024 });
    this.projects = new DataProjects(service);
    this.executions = new Executions(now, { queuedMs: options.queuedMs ?? 300, executingMs: options.executingMs ?? 700 });
    this.neverFinish = new Set((options.neverFinish ?? []).map((s) => s.toLowerCase()));
  }

  /** Job timing and held projects for jobs started from now on (the first options given win otherwise). */
  configure(options: Pick<DataManagementOptions, 'queuedMs' | 'executingMs' | 'neverFinish'>): void {
    this.executions.configure({ queuedMs: options.queuedMs, executingMs: options.executingMs });
    for (const id of options.neverFinish ?? []) this.holdProject(id);
  }

  messageStatus(messageId: string): string | undefined {
    for (const lookup of this.messageLookups) {
      const status = lookup(messageId);
      if (status !== undefined) return status;
    }
    return undefined;
  }

  /** Jobs of this project will never finish from now on. */
  holdProject(definitionGroupId: string): void {
    this.neverFinish.add(definitionGroupId.toLowerCase());
  }

  defineDataProject(id: string, operation: 'Import' | 'Export', entitySets: string[]) {
    return this.projects.define(id, operation, entitySets);
  }

  newExecutionId(definitionGroupId: string): string {
    const stamp = this.service.now().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    return `${definitionGroupId || 'Execution'}-${stamp}-${++this.sequence}`;
  }

  startImport(args: { packageBytes: Buffer; definitionGroupId: string; executionId: string; execute: boolean; company: string; userId: string }): Execution {
    if (args.definitionGroupId.length > 60) throw new FnoError(400, `The definitionGroupId '${args.definitionGroupId.slice(0, 60)}…' is longer than 60 characters.`);
    const id = args.executionId || this.newExecutionId(args.definitionGroupId);
    if (this.executions.has(id)) throw new FnoError(400, `The execution id '${id}' already exists; pass an empty executionId to get a new one.`);
    const bytes = Buffer.from(args.packageBytes);
    return this.executions.start({
      id,
      kind: 'import',
      definitionGroupId: args.definitionGroupId,
      legalEntity: args.company,
      held: this.neverFinish.has(args.definitionGroupId.toLowerCase()),
      work: () => runAs(args.userId, () => runImport({
        service: this.service,
        packageBytes: bytes,
        company: args.company,
        execute: args.execute,
        onEntities: (sets) => this.projects.rememberImport(args.definitionGroupId, sets),
      })),
    });
  }

  startExport(args: { definitionGroupId: string; packageName: string; executionId: string; reExecute: boolean; company: string; limit?: number }): Execution {
    const project = this.projects.find(args.definitionGroupId);
    if (!project) throw new FnoError(400, `The data project '${args.definitionGroupId}' does not exist.`);
    if (project.operation !== 'Export') throw new FnoError(400, `The data project '${project.id}' is an import project; ExportToPackage needs an export project.`);
    const id = args.executionId || this.newExecutionId(project.id);
    if (this.executions.has(id) && !args.reExecute) throw new FnoError(400, `The execution id '${id}' already exists; set reExecute to run it again.`);
    return this.executions.start({
      id,
      kind: 'export',
      definitionGroupId: project.id,
      legalEntity: args.company,
      held: this.neverFinish.has(project.id.toLowerCase()),
      work: () => runExport({ service: this.service, blobs: this.blobs, project, company: args.company, packageName: args.packageName, executionId: id, limit: args.limit }),
    });
  }

  /** A unique blob id in F&O's form (upper-case GUID in braces). */
  static blobId(): string {
    return `{${randomUUID().toUpperCase()}}`;
  }

  close(): void {
    this.executions.close();
  }
}
