import type { Clock, TimerHandle } from '../ports/clock.js';

/**
 * The real clock: `Date.now()` and the platform's timers. Timers keep the process alive like any
 * Node timer: a running worker keeps its process up until `stop()`.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return setTimeout(fn, ms);
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
