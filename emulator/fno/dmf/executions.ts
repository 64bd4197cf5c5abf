/**
 * Data management executions as a state machine over the emulator clock: a job is NotRun while it waits for the
 * batch framework, Executing while it runs, then Succeeded, PartiallySucceeded or Failed. The work itself runs
 * once, when the clock passes the end of Executing (on a timer, or sooner when anything reads the job), so a test
 * with an injected clock sees the same sequence as one that waits. A job can be held (it then never finishes)
 * or canceled.
 */

export type ExecutionStatus = 'Unknown' | 'NotRun' | 'Executing' | 'Succeeded' | 'PartiallySucceeded' | 'Failed' | 'Canceled';

export const FINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set(['Succeeded', 'PartiallySucceeded', 'Failed', 'Canceled']);

export interface EntityResult {
  entityName: string;
  entitySet?: string;
  company: string;
  stagingRecords: number;
  targetRecords: number;
  errorCount: number;
}

export interface WorkOutcome {
  status: 'Succeeded' | 'PartiallySucceeded' | 'Failed';
  errors: string[];
  entities: EntityResult[];
  /** Blob name of the package an export produced. */
  packageBlob?: string;
}

export interface Execution {
  id: string;
  kind: 'import' | 'export';
  definitionGroupId: string;
  legalEntity: string;
  createdAt: number;
  startsAt: number;
  endsAt: number;
  finishedAt?: number;
  held: boolean;
  canceled: boolean;
  outcome?: WorkOutcome;
  work: () => WorkOutcome;
}

export interface ExecutionTiming {
  /** Time a job waits as NotRun before it starts executing. */
  queuedMs: number;
  /** Time a job spends Executing. */
  executingMs: number;
}

export class Executions {
  private readonly jobs = new Map<string, Execution>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly now: () => number, private timing: ExecutionTiming, private readonly maxJobs = 10_000) {}

  /** Changes the timing of jobs started from now on. */
  configure(timing: Partial<ExecutionTiming>): void {
    this.timing = {
      queuedMs: timing.queuedMs ?? this.timing.queuedMs,
      executingMs: timing.executingMs ?? this.timing.executingMs,
    };
  }

  has(id: string): boolean {
    return this.jobs.has(id.toLowerCase());
  }

  start(job: Omit<Execution, 'createdAt' | 'startsAt' | 'endsAt' | 'canceled' | 'held'> & { held?: boolean }): Execution {
    const created = this.now();
    const execution: Execution = {
      ...job,
      held: job.held ?? false,
      canceled: false,
      createdAt: created,
      startsAt: created + this.timing.queuedMs,
      endsAt: created + this.timing.queuedMs + this.timing.executingMs,
    };
    if (this.jobs.size >= this.maxJobs) this.jobs.delete(this.jobs.keys().next().value as string); // oldest first
    this.jobs.set(job.id.toLowerCase(), execution);
    this.schedule(execution);
    return execution;
  }

  get(id: string): Execution | undefined {
    const job = this.jobs.get(id.toLowerCase());
    if (job) this.settle(job);
    return job;
  }

  status(id: string): ExecutionStatus {
    const job = this.get(id);
    if (!job) return 'Unknown';
    if (job.canceled) return 'Canceled';
    if (job.outcome) return job.outcome.status;
    return this.now() < job.startsAt ? 'NotRun' : 'Executing';
  }

  hold(id: string): boolean {
    const job = this.get(id);
    if (!job || job.outcome || job.canceled) return false;
    job.held = true;
    return true;
  }

  release(id: string): void {
    const job = this.jobs.get(id.toLowerCase());
    if (!job) return;
    job.held = false;
    this.settle(job);
  }

  cancel(id: string): boolean {
    const job = this.get(id);
    if (!job || job.outcome || job.canceled) return false;
    job.canceled = true;
    job.finishedAt = this.now();
    return true;
  }

  /** Runs every job whose time has come (a test with an injected clock calls this after moving it). */
  settleAll(): void {
    for (const job of this.jobs.values()) this.settle(job);
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private settle(job: Execution) {
    if (job.outcome || job.canceled || job.held || this.now() < job.endsAt) return;
    try {
      job.outcome = job.work();
    } catch (e) {
      job.outcome = { status: 'Failed', errors: [`The job stopped with an unexpected error: ${(e as Error).message}`], entities: [] };
    }
    job.finishedAt = this.now();
  }

  private schedule(job: Execution) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.settle(job);
    }, Math.max(0, job.endsAt - this.now()) + 5);
    timer.unref();
    this.timers.add(timer);
  }
}
