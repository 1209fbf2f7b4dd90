import { describe, expect, it } from 'vitest';
import { createMemoryJobQueue, ManualClock } from '../src/index.js';

const job = (id: string, delayMs?: number) => ({
  id,
  payload: { kind: 'send' as const, deliveryId: id, round: 1, attempt: 1 },
  ...(delayMs === undefined ? {} : { delayMs }),
});

describe('memory job queue', () => {
  it('moves 100,000 jobs through enqueue, reserve (500 at a time) and ack, each exactly once', async () => {
    const queue = createMemoryJobQueue({ clock: new ManualClock(0) });
    const n = 100_000;
    for (let i = 0; i < n; i += 1000) {
      await queue.enqueue(
        Array.from({ length: 1000 }, (_, k) => job(`j${i + k}`, (i + k) % 3 === 0 ? 0 : undefined)),
      );
    }
    let handled = 0;
    for (;;) {
      const jobs = await queue.reserve({ max: 500, visibilityTimeoutMs: 30_000 });
      if (jobs.length === 0) break;
      handled += jobs.length;
      await queue.ack(jobs);
    }
    expect(handled).toBe(n);
    expect(await queue.counts()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });

  it('a blocked reserve wakes when an in-flight job’s visibility timeout expires', async () => {
    const clock = new ManualClock(0);
    const queue = createMemoryJobQueue({ clock });
    await queue.enqueue([job('a')]);
    await queue.reserve({ max: 1, visibilityTimeoutMs: 1000 });
    const pending = queue.reserve({ max: 1, visibilityTimeoutMs: 1000, blockMs: 10_000 });
    clock.advance(1000);
    const [again] = await pending;
    expect(again).toMatchObject({ id: 'a', deliveryCount: 2 });
  });

  it('dead-letters after 5 timed-out hand-outs by default; release restarts the count', async () => {
    const clock = new ManualClock(0);
    const queue = createMemoryJobQueue({ clock });
    await queue.enqueue([job('a')]);
    const first = await queue.reserve({ max: 1, visibilityTimeoutMs: 10 });
    clock.advance(10);
    const [second] = await queue.reserve({ max: 1, visibilityTimeoutMs: 10 });
    expect(second?.deliveryCount).toBe(2);
    await queue.release(second!, 0);
    const [third] = await queue.reserve({ max: 1, visibilityTimeoutMs: 10 });
    expect(third?.deliveryCount).toBe(1);
    expect(first[0]?.token).not.toBe(third?.token);
    for (let i = 2; i <= 5; i++) {
      clock.advance(10);
      expect((await queue.reserve({ max: 1, visibilityTimeoutMs: 10 }))[0]?.deliveryCount).toBe(i);
    }
    clock.advance(10);
    expect(await queue.reserve({ max: 1, visibilityTimeoutMs: 10 })).toEqual([]);
    expect(await queue.deadLetters(5)).toEqual([
      { id: 'a', payload: job('a').payload, deliveryCount: 5, at: 60 },
    ]);
  });

  it('several blocked reservers are served in arrival order, each up to its max', async () => {
    const clock = new ManualClock(0);
    const queue = createMemoryJobQueue({ clock });
    const one = queue.reserve({ max: 2, visibilityTimeoutMs: 100, blockMs: 1000 });
    const two = queue.reserve({ max: 2, visibilityTimeoutMs: 100, blockMs: 1000 });
    await queue.enqueue([job('a'), job('b'), job('c')]);
    expect((await one).map((j) => j.id)).toEqual(['a', 'b']);
    expect((await two).map((j) => j.id)).toEqual(['c']);
    expect(clock.pendingTimers).toBe(0);
  });
});
