/**
 * Bounds webhook work: at most `concurrency` POSTs in flight and at most `maxQueue` async deliveries waiting, so
 * a slow or dead receiver cannot hold unbounded memory or sockets. Sync deliveries (a client is waiting on them)
 * jump the queue but still count against the concurrency limit.
 */
export class DeliveryQueue {
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private queuedAsync = 0;
  private readonly idleWaiters: (() => void)[] = [];
  /** Highest number of deliveries seen in flight at once (diagnostics and tests). */
  peakActive = 0;

  constructor(private readonly concurrency: number, private readonly maxQueue: number) {}

  /** Runs job when a slot is free; false when the async backlog is full (the job is not run). */
  enqueue(job: () => Promise<void>): boolean {
    if (this.queuedAsync >= this.maxQueue) return false;
    this.queuedAsync++;
    void this.slot(false).then(async () => {
      this.queuedAsync--;
      await this.runHeld(job);
    });
    return true;
  }

  /** Runs job ahead of queued async work and resolves with its result. */
  async runNow<T>(job: () => Promise<T>): Promise<T> {
    await this.slot(true);
    return this.runHeld(job);
  }

  private slot(front: boolean): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      this.peakActive = Math.max(this.peakActive, this.active);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const start = () => {
        this.active++;
        this.peakActive = Math.max(this.peakActive, this.active);
        resolve();
      };
      if (front) this.waiting.unshift(start);
      else this.waiting.push(start);
    });
  }

  private async runHeld<T>(job: () => Promise<T>): Promise<T> {
    try {
      return await job();
    } finally {
      this.active--;
      this.waiting.shift()?.();
      if (this.active === 0 && this.waiting.length === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Resolves when nothing is running or waiting. */
  idle(): Promise<void> {
    if (this.active === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
