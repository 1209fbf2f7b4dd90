import type { Clock, TimerHandle } from '../../ports/clock.js';
import type {
  DeadLetter,
  EnqueueRequest,
  JobQueue,
  QueueCounts,
  ReservedJob,
  ReserveOptions,
  SendJob,
} from '../../ports/job-queue.js';
import { systemClock } from '../../time/system-clock.js';
import { Deque, MinHeap } from './heap.js';

/** Options of {@link createMemoryJobQueue}. */
export interface MemoryJobQueueOptions {
  /** Time source for delays, visibility timeouts and blocking waits. @default systemClock */
  readonly clock?: Clock;
  /**
   * Hand-outs a job may have without being acked or released; when its visibility timeout expires
   * after the last of them, it moves to the dead letters. @default 5
   */
  readonly maxDeliveries?: number;
}

interface Entry<P> {
  readonly id: string;
  readonly payload: P;
  state: 'ready' | 'delayed' | 'inFlight';
  /** Hand-outs since the job was enqueued or last released. */
  deliveryCount: number;
  /** Token of the current hand-out, while in flight. */
  token: string | null;
}

interface Waiter<P> {
  readonly max: number;
  readonly visibilityTimeoutMs: number;
  readonly resolve: (jobs: ReservedJob<P>[]) => void;
  timer: TimerHandle;
  /** Removes the waiter's abort listener, if it has one. */
  detach?: () => void;
}

/**
 * An in-process {@link JobQueue}: the embedded default. Every operation is O(1) or O(log n) per job
 * (ready jobs in a FIFO deque, delayed and in-flight jobs in min-heaps). Expired visibility timeouts
 * and due delays are processed when the queue is next used, and a blocking `reserve` is woken by a
 * clock timer when one falls due. `release` gives a job back without counting toward
 * `maxDeliveries` (its `deliveryCount` starts again); only hand-outs that time out do.
 *
 * @example
 * const queue = createMemoryJobQueue({ clock: new ManualClock(), maxDeliveries: 3 });
 */
export function createMemoryJobQueue<P = SendJob>(options: MemoryJobQueueOptions = {}): JobQueue<P> {
  const clock = options.clock ?? systemClock;
  const maxDeliveries = Math.max(1, options.maxDeliveries ?? 5);
  const jobs = new Map<string, Entry<P>>();
  const ready = new Deque<Entry<P>>();
  const delayed = new MinHeap<Entry<P>>();
  const inFlight = new MinHeap<{ entry: Entry<P>; token: string }>();
  const dead: DeadLetter<P>[] = [];
  const waiters: Waiter<P>[] = [];
  let delayedCount = 0;
  let inFlightCount = 0;
  let tokenSeq = 0;
  let wake: { at: number; handle: TimerHandle } | null = null;

  function makeReady(entry: Entry<P>): void {
    entry.state = 'ready';
    entry.token = null;
    ready.push(entry);
  }

  /** Moves due delayed jobs to ready, and expired in-flight jobs to ready or the dead letters. */
  function tick(now: number): void {
    for (let entry = delayed.popDue(now); entry !== undefined; entry = delayed.popDue(now)) {
      if (entry.state !== 'delayed' || jobs.get(entry.id) !== entry) continue;
      delayedCount--;
      makeReady(entry);
    }
    for (let node = inFlight.popDue(now); node !== undefined; node = inFlight.popDue(now)) {
      const { entry, token } = node;
      if (entry.state !== 'inFlight' || entry.token !== token || jobs.get(entry.id) !== entry) continue;
      inFlightCount--;
      if (entry.deliveryCount >= maxDeliveries) {
        jobs.delete(entry.id);
        entry.token = null;
        dead.push(
          Object.freeze({
            id: entry.id,
            payload: entry.payload,
            deliveryCount: entry.deliveryCount,
            at: now,
          }),
        );
      } else {
        makeReady(entry);
      }
    }
  }

  function take(max: number, visibilityTimeoutMs: number): ReservedJob<P>[] {
    const out: ReservedJob<P>[] = [];
    const visibleAt = clock.now() + Math.max(0, visibilityTimeoutMs);
    while (out.length < max) {
      const entry = ready.shift();
      if (entry === undefined) break;
      const token = `${++tokenSeq}`;
      entry.state = 'inFlight';
      entry.token = token;
      entry.deliveryCount++;
      inFlightCount++;
      inFlight.push(visibleAt, { entry, token });
      out.push(
        Object.freeze({ id: entry.id, payload: entry.payload, deliveryCount: entry.deliveryCount, token }),
      );
    }
    return out;
  }

  /** Hands ready jobs to blocked reservers, oldest waiter first, then re-arms the wake-up timer. */
  function serveWaiters(): void {
    if (waiters.length === 0) return;
    tick(clock.now());
    while (waiters.length > 0 && ready.size > 0) {
      const waiter = waiters.shift() as Waiter<P>;
      clock.clearTimeout(waiter.timer);
      waiter.detach?.();
      waiter.resolve(take(waiter.max, waiter.visibilityTimeoutMs));
    }
    scheduleWake();
  }

  /** While someone is blocked, keeps one timer set for the next due delay or visibility expiry. */
  function scheduleWake(): void {
    const next = waiters.length === 0 ? undefined : minDefined(delayed.peekAt(), inFlight.peekAt());
    if (wake !== null && wake.at === next) return;
    if (wake !== null) clock.clearTimeout(wake.handle);
    wake = null;
    if (next === undefined) return;
    const handle = clock.setTimeout(
      () => {
        if (wake?.handle === handle) wake = null;
        serveWaiters();
      },
      Math.max(0, next - clock.now()),
    );
    wake = { at: next, handle };
  }

  return {
    async enqueue(requests: readonly EnqueueRequest<P>[]): Promise<number> {
      const now = clock.now();
      tick(now);
      let added = 0;
      for (const request of requests) {
        if (jobs.has(request.id)) continue;
        const entry: Entry<P> = {
          id: request.id,
          payload: request.payload,
          state: 'ready',
          deliveryCount: 0,
          token: null,
        };
        jobs.set(entry.id, entry);
        const delayMs = request.delayMs ?? 0;
        if (delayMs > 0) {
          entry.state = 'delayed';
          delayedCount++;
          delayed.push(now + delayMs, entry);
        } else {
          ready.push(entry);
        }
        added++;
      }
      if (added > 0) serveWaiters();
      return added;
    },

    reserve(opts: ReserveOptions): Promise<ReservedJob<P>[]> {
      tick(clock.now());
      const max = Math.max(0, Math.floor(opts.max));
      const got = take(max, opts.visibilityTimeoutMs);
      const blockMs = opts.blockMs ?? 0;
      if (got.length > 0 || blockMs <= 0 || max === 0 || opts.signal?.aborted === true) {
        return Promise.resolve(got);
      }
      return new Promise((resolve) => {
        const waiter: Waiter<P> = {
          max,
          visibilityTimeoutMs: opts.visibilityTimeoutMs,
          resolve,
          timer: undefined,
        };
        const giveUp = () => {
          const i = waiters.indexOf(waiter);
          if (i < 0) return;
          waiters.splice(i, 1);
          clock.clearTimeout(waiter.timer);
          waiter.detach?.();
          scheduleWake();
          resolve([]);
        };
        waiter.timer = clock.setTimeout(giveUp, blockMs);
        const signal = opts.signal;
        if (signal !== undefined) {
          signal.addEventListener('abort', giveUp, { once: true });
          waiter.detach = () => signal.removeEventListener('abort', giveUp);
        }
        waiters.push(waiter);
        scheduleWake();
      });
    },

    async ack(acked: readonly ReservedJob<P>[]): Promise<void> {
      for (const job of acked) {
        const entry = jobs.get(job.id);
        if (entry === undefined || entry.state !== 'inFlight' || entry.token !== job.token) continue;
        entry.token = null;
        inFlightCount--;
        jobs.delete(job.id);
      }
    },

    async release(job: ReservedJob<P>, delayMs: number): Promise<void> {
      const entry = jobs.get(job.id);
      if (entry === undefined || entry.state !== 'inFlight' || entry.token !== job.token) return;
      inFlightCount--;
      entry.deliveryCount = 0;
      if (delayMs > 0) {
        entry.state = 'delayed';
        entry.token = null;
        delayedCount++;
        delayed.push(clock.now() + delayMs, entry);
        scheduleWake();
      } else {
        makeReady(entry);
        serveWaiters();
      }
    },

    async counts(): Promise<QueueCounts> {
      tick(clock.now());
      return { ready: ready.size, delayed: delayedCount, inFlight: inFlightCount, dead: dead.length };
    },

    async deadLetters(limit: number): Promise<readonly DeadLetter<P>[]> {
      tick(clock.now());
      return dead.slice(0, Math.max(0, limit));
    },
  };
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
