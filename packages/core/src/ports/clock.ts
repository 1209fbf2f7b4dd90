/** Handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Time source and timers, injected so tests control time. Every time MiniCRM reads or waits on goes
 * through the clock.
 */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer from {@link Clock.setTimeout}. */
  clearTimeout(handle: TimerHandle): void;
}
