/** A send job: only the delivery and the attempt it is for; all state lives in storage. */
export interface SendJob {
  readonly kind: 'send';
  readonly deliveryId: string;
  /** Campaign round the job is for. */
  readonly round: number;
  /** Attempt number (1-based) the job is for. */
  readonly attempt: number;
}

/** A job to enqueue. */
export interface EnqueueRequest<P = SendJob> {
  /** Job id; enqueueing an id that is already waiting, delayed or in flight does nothing. */
  readonly id: string;
  readonly payload: P;
  /** Do not hand the job out before this many ms from now. @default 0 */
  readonly delayMs?: number;
}

/** A job handed to a consumer. It must be acked, released, or it comes back after the visibility timeout. */
export interface ReservedJob<P = SendJob> {
  readonly id: string;
  readonly payload: P;
  /** How many times this job has been handed out, this time included (1 on first delivery). */
  readonly deliveryCount: number;
  /** Opaque token identifying this hand-out; pass the job back to `ack`/`release`. */
  readonly token: string;
}

/** Options of {@link JobQueue.reserve}. */
export interface ReserveOptions {
  /** Most jobs to return. */
  readonly max: number;
  /** A job not acked or released within this time is handed to another consumer. */
  readonly visibilityTimeoutMs: number;
  /** Wait up to this long for a job when none is ready. @default 0 */
  readonly blockMs?: number;
  /** Name of the consumer, for adapters that track consumers. */
  readonly consumer?: string;
  /** Stop waiting when this aborts: resolves with the jobs taken so far (usually none). */
  readonly signal?: AbortSignal;
}

/** Queue sizes. */
export interface QueueCounts {
  /** Ready to be handed out. */
  readonly ready: number;
  /** Waiting for their delay. */
  readonly delayed: number;
  /** Handed out, not yet acked. */
  readonly inFlight: number;
  /** Moved to the dead-letter store. */
  readonly dead: number;
}

/** A job that was handed out too many times. */
export interface DeadLetter<P = SendJob> {
  readonly id: string;
  readonly payload: P;
  readonly deliveryCount: number;
  /** Epoch ms when it was dead-lettered. */
  readonly at: number;
}

/**
 * A durable job queue with at-least-once delivery. Jobs are idempotent by id while they exist in the
 * queue; a job whose consumer dies is handed out again after the visibility timeout; a job handed
 * out more than the adapter's `maxDeliveries` times goes to the dead letters instead.
 */
export interface JobQueue<P = SendJob> {
  /** Adds jobs; ids already present are ignored. Returns how many were added. */
  enqueue(jobs: readonly EnqueueRequest<P>[]): Promise<number>;
  /** Hands out up to `max` ready jobs, waiting up to `blockMs` for one. */
  reserve(options: ReserveOptions): Promise<ReservedJob<P>[]>;
  /** Removes jobs for good. A token that is no longer current (the job was re-handed) is ignored. */
  ack(jobs: readonly ReservedJob<P>[]): Promise<void>;
  /**
   * Gives a job back, ready again after `delayMs`. A stale token is ignored. A release is not a
   * failed hand-out: it does not count towards `maxDeliveries` (paused or throttled campaigns
   * release the same job many times).
   */
  release(job: ReservedJob<P>, delayMs: number): Promise<void>;
  counts(): Promise<QueueCounts>;
  /** Dead-lettered jobs, oldest first. */
  deadLetters(limit: number): Promise<readonly DeadLetter<P>[]>;
}
