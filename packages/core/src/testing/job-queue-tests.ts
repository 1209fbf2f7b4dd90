import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../ports/clock.js';
import type { EnqueueRequest, JobQueue, ReservedJob, SendJob } from '../ports/job-queue.js';
import { ManualClock } from '../time/manual-clock.js';
import { systemClock } from '../time/system-clock.js';
import { T0 } from './fixtures.js';
import { sleep } from './harness.js';
import type { JobQueueConformanceOptions } from './options.js';

/** Time as the queue suite sees it: a manual clock it advances, or real time it waits for. */
interface QueueTime {
  readonly clock: Clock;
  /** The unit delays and timeouts are multiples of (ms). */
  readonly unit: number;
  readonly real: boolean;
  /** Lets `ms` pass (advancing the manual clock, or sleeping). */
  advance(ms: number): Promise<void>;
}

function makeTime(options: JobQueueConformanceOptions): QueueTime {
  if (options.realTimers === true) {
    return { clock: systemClock, unit: options.unitMs ?? 50, real: true, advance: (ms) => sleep(ms) };
  }
  const clock = new ManualClock(T0);
  return {
    clock,
    unit: 1000,
    real: false,
    advance: async (ms) => {
      clock.advance(ms);
      await sleep(0);
    },
  };
}

/** A send job request for `id`. */
function job(id: string, delayMs?: number): EnqueueRequest<SendJob> {
  return {
    id,
    payload: { kind: 'send', deliveryId: `dlv-${id}`, round: 1, attempt: 1 },
    ...(delayMs === undefined ? {} : { delayMs }),
  };
}

const ids = (jobs: readonly ReservedJob<SendJob>[]) => jobs.map((j) => j.id);

/**
 * Job queue checks: idempotent enqueue, delays, FIFO, visibility timeout with fresh tokens, stale
 * tokens ignored, release, dead letters after `maxDeliveries` timed-out hand-outs, counts, blocking
 * reserve. Runs on a manual clock, or with `realTimers` on short real delays.
 */
export function jobQueueConformance(options: JobQueueConformanceOptions): void {
  describe(options.name ?? 'job queue', () => {
    let time: QueueTime;
    afterEach(async () => {
      await options.teardown?.();
    });
    async function setup(maxDeliveries = 3): Promise<{ q: JobQueue<SendJob>; U: number }> {
      time = makeTime(options);
      return { q: await options.createQueue({ clock: time.clock, maxDeliveries }), U: time.unit };
    }
    const reserve = (q: JobQueue<SendJob>, max: number, visibilityTimeoutMs: number, blockMs = 0) =>
      q.reserve({ max, visibilityTimeoutMs, blockMs, consumer: 'conformance' });

    it('enqueue is idempotent by id while the job is ready, delayed or in flight', async () => {
      const { q, U } = await setup();
      expect(await q.enqueue([job('a'), job('b'), job('a')])).toBe(2);
      expect(await q.enqueue([job('a'), job('c', 50 * U)])).toBe(1);
      expect(await q.enqueue([job('c')])).toBe(0);
      const [a] = await reserve(q, 1, 50 * U);
      expect(a?.id).toBe('a');
      expect(await q.enqueue([job('a')])).toBe(0);
      await q.ack([a as ReservedJob<SendJob>]);
      expect(await q.enqueue([job('a')])).toBe(1);
      expect(await q.counts()).toEqual({ ready: 2, delayed: 1, inFlight: 0, dead: 0 });
    });

    it('hands out ready jobs first in, first out, with their payload, a count of 1 and distinct tokens', async () => {
      const { q, U } = await setup();
      await q.enqueue(['j1', 'j2', 'j3', 'j4', 'j5'].map((id) => job(id)));
      await q.enqueue([job('j6')]);
      const first = await reserve(q, 3, 50 * U);
      expect(ids(first)).toEqual(['j1', 'j2', 'j3']);
      expect(first[0]?.payload).toEqual({ kind: 'send', deliveryId: 'dlv-j1', round: 1, attempt: 1 });
      const rest = await reserve(q, 10, 50 * U);
      expect(ids(rest)).toEqual(['j4', 'j5', 'j6']);
      const all = [...first, ...rest];
      expect(all.every((j) => j.deliveryCount === 1)).toBe(true);
      expect(new Set(all.map((j) => j.token)).size).toBe(6);
      expect(await reserve(q, 10, 50 * U)).toEqual([]);
      expect(await q.counts()).toEqual({ ready: 0, delayed: 0, inFlight: 6, dead: 0 });
      await q.ack(all);
      expect(await q.counts()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
    });

    it('a delayed job is not handed out before its delay', async () => {
      const { q, U } = await setup();
      await q.enqueue([job('late', 4 * U), job('now')]);
      expect(ids(await reserve(q, 10, 50 * U))).toEqual(['now']);
      expect(await q.counts()).toMatchObject({ ready: 0, delayed: 1 });
      await time.advance(U);
      expect(await reserve(q, 10, 50 * U)).toEqual([]);
      await time.advance(4 * U);
      expect(await q.counts()).toMatchObject({ ready: 1, delayed: 0 });
      expect(ids(await reserve(q, 10, 50 * U))).toEqual(['late']);
    });

    it('a job not acked within the visibility timeout comes back with a new token; the old token is ignored', async () => {
      const { q, U } = await setup();
      await q.enqueue([job('a')]);
      const [first] = await reserve(q, 1, 2 * U);
      expect(first?.deliveryCount).toBe(1);
      expect(await reserve(q, 1, 2 * U)).toEqual([]);
      await time.advance(3 * U);
      const [second] = await reserve(q, 1, 20 * U);
      expect(second?.id).toBe('a');
      expect(second?.deliveryCount).toBe(2);
      expect(second?.token).not.toBe(first?.token);
      await q.ack([first as ReservedJob<SendJob>]);
      await q.release(first as ReservedJob<SendJob>, 0);
      expect(await q.counts()).toEqual({ ready: 0, delayed: 0, inFlight: 1, dead: 0 });
      await q.ack([second as ReservedJob<SendJob>]);
      expect(await q.counts()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
    });

    it('release gives a job back after a delay; a stale release is ignored', async () => {
      const { q, U } = await setup();
      await q.enqueue([job('a'), job('b')]);
      const [a, b] = await reserve(q, 2, 50 * U);
      await q.release(a as ReservedJob<SendJob>, 3 * U);
      await q.release(b as ReservedJob<SendJob>, 0);
      expect(await q.counts()).toEqual({ ready: 1, delayed: 1, inFlight: 0, dead: 0 });
      const [b2] = await reserve(q, 10, 50 * U);
      expect(b2?.id).toBe('b');
      await q.release(b as ReservedJob<SendJob>, 0);
      expect(await q.counts()).toMatchObject({ ready: 0, inFlight: 1 });
      await time.advance(4 * U);
      expect(ids(await reserve(q, 10, 50 * U))).toEqual(['a']);
    });

    it('a job whose hand-outs all time out goes to the dead letters after maxDeliveries', async () => {
      const { q, U } = await setup(2);
      await q.enqueue([job('poison'), job('ok')]);
      const [, ok] = await reserve(q, 2, 2 * U);
      await q.ack([ok as ReservedJob<SendJob>]);
      await time.advance(3 * U);
      const [again] = await reserve(q, 1, 2 * U);
      expect(again).toMatchObject({ id: 'poison', deliveryCount: 2 });
      await time.advance(3 * U);
      expect(await reserve(q, 1, 2 * U)).toEqual([]);
      expect(await q.counts()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 1 });
      const dead = await q.deadLetters(10);
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ id: 'poison', deliveryCount: 2 });
      expect(dead[0]?.payload).toEqual(job('poison').payload);
      expect(typeof dead[0]?.at).toBe('number');
      if (!time.real) expect(dead[0]?.at).toBeGreaterThanOrEqual(T0);
    });

    it('releases do not count toward maxDeliveries', async () => {
      const { q, U } = await setup(2);
      await q.enqueue([job('a')]);
      for (let i = 0; i < 4; i++) {
        const [a] = await reserve(q, 1, 50 * U);
        expect(a?.id, `hand-out ${i + 1}`).toBe('a');
        await q.release(a as ReservedJob<SendJob>, 0);
      }
      expect(await q.counts()).toEqual({ ready: 1, delayed: 0, inFlight: 0, dead: 0 });
      expect(await q.deadLetters(10)).toEqual([]);
    });

    it('reserves hundreds of jobs in one call, in order', async () => {
      const { q, U } = await setup();
      const all = Array.from({ length: 1200 }, (_, i) => `j${String(i).padStart(4, '0')}`);
      expect(await q.enqueue(all.map((id) => job(id)))).toBe(1200);
      const got = await reserve(q, 500, 50 * U);
      expect(ids(got)).toEqual(all.slice(0, 500));
      await q.ack(got);
      expect(await q.counts()).toMatchObject({ ready: 700, inFlight: 0 });
    });

    const blocking = options.skip?.blockingWake === true ? it.skip : it;
    blocking('a blocking reserve wakes as soon as a job is enqueued', async () => {
      const { q, U } = await setup();
      const started = Date.now();
      const pending = reserve(q, 5, 50 * U, 40 * U);
      await sleep(time.real ? U : 0);
      await q.enqueue([job('a')]);
      expect(ids(await pending)).toEqual(['a']);
      if (time.real) expect(Date.now() - started).toBeLessThan(20 * U);
    });

    blocking('a blocking reserve wakes when a delay falls due', async () => {
      const { q, U } = await setup();
      await q.enqueue([job('a', 2 * U)]);
      const started = Date.now();
      const pending = reserve(q, 5, 50 * U, 40 * U);
      if (!time.real) await time.advance(2 * U);
      expect(ids(await pending)).toEqual(['a']);
      if (time.real) expect(Date.now() - started).toBeLessThan(20 * U);
    });

    it('a blocking reserve with nothing to hand out resolves empty after blockMs', async () => {
      const { q, U } = await setup();
      let done = false;
      const pending = reserve(q, 5, 50 * U, 3 * U).then((jobs) => {
        done = true;
        return jobs;
      });
      await sleep(0);
      expect(done).toBe(false);
      if (!time.real) await time.advance(3 * U);
      expect(await pending).toEqual([]);
    });
  });
}
