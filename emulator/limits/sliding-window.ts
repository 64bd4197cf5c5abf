/**
 * Per-user counters over a sliding window, kept in a ring of fixed-width time buckets so both
 * recording and reading totals are O(1) amortised however many requests the window holds.
 * A sample counts from the moment it is recorded until its bucket leaves the window, i.e. for
 * between (buckets - 1) and buckets bucket widths.
 */
export class SlidingWindow {
  private readonly requests: Float64Array;
  private readonly executionMs: Float64Array;
  private readonly bucketIds: Float64Array;
  private newestBucket = -Infinity;
  private requestTotal = 0;
  private executionTotal = 0;

  constructor(
    private readonly bucketMs: number,
    private readonly bucketCount: number,
  ) {
    this.requests = new Float64Array(bucketCount);
    this.executionMs = new Float64Array(bucketCount);
    this.bucketIds = new Float64Array(bucketCount).fill(-1);
  }

  /** Bucket width chosen so the real 300 s window uses 1 s buckets and short test windows stay precise. */
  static forWindow(windowSeconds: number): SlidingWindow {
    const windowMs = windowSeconds * 1000;
    const bucketMs = Math.max(10, Math.min(1000, windowMs / 100));
    return new SlidingWindow(bucketMs, Math.ceil(windowMs / bucketMs));
  }

  addRequest(now: number, count = 1): void {
    this.advance(now);
    this.requests[this.slotOf(this.newestBucket)] += count;
    this.requestTotal += count;
  }

  addExecution(now: number, ms: number): void {
    this.advance(now);
    this.executionMs[this.slotOf(this.newestBucket)] += ms;
    this.executionTotal += ms;
  }

  totals(now: number): { requests: number; executionMs: number } {
    this.advance(now);
    return { requests: this.requestTotal, executionMs: this.executionTotal };
  }

  /** Milliseconds until enough requests expire that the total is at most `target`. */
  msUntilRequestsAtMost(now: number, target: number): number {
    this.advance(now);
    const excess = this.requestTotal - target;
    return this.msUntilFreed(now, this.requests, (freed) => freed >= excess);
  }

  /** Milliseconds until the execution total drops strictly below `limit` (equal to it is still exhausted). */
  msUntilExecutionBelow(now: number, limit: number): number {
    this.advance(now);
    const excess = this.executionTotal - limit;
    return this.msUntilFreed(now, this.executionMs, (freed) => freed > excess);
  }

  private msUntilFreed(now: number, counts: Float64Array, enough: (freed: number) => boolean): number {
    let freed = 0;
    if (enough(freed)) return 0;
    for (let bucket = this.newestBucket - this.bucketCount + 1; bucket <= this.newestBucket; bucket++) {
      const slot = this.slotOf(bucket);
      if (this.bucketIds[slot] !== bucket) continue;
      freed += counts[slot];
      if (enough(freed)) return (bucket + this.bucketCount) * this.bucketMs - now;
    }
    return this.bucketCount * this.bucketMs;
  }

  private advance(now: number): void {
    const current = Math.floor(now / this.bucketMs);
    if (current <= this.newestBucket) return;
    const steps = Math.min(current - this.newestBucket, this.bucketCount);
    for (let bucket = current - steps + 1; bucket <= current; bucket++) {
      const slot = this.slotOf(bucket);
      this.requestTotal -= this.requests[slot];
      this.executionTotal -= this.executionMs[slot];
      this.requests[slot] = 0;
      this.executionMs[slot] = 0;
      this.bucketIds[slot] = bucket;
    }
    // Floating-point subtraction can leave dust; an empty window must read exactly zero.
    if (this.executionTotal < 1e-6) this.executionTotal = 0;
    this.newestBucket = current;
  }

  private slotOf(bucket: number): number {
    return ((bucket % this.bucketCount) + this.bucketCount) % this.bucketCount;
  }
}
