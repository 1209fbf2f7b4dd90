import { EventEmitter } from 'eventemitter3';
import type { EventBus, MiniCrmEvents, MiniCrmEventType, Unsubscribe } from '../../ports/event-bus.js';

/** Options of {@link createMemoryEventBus}. */
export interface MemoryEventBusOptions {
  /**
   * Called when a handler throws (or its returned promise rejects). The error never reaches the
   * publisher or the other handlers. @default logs with `console.error`
   */
  readonly onError?: (error: unknown, type: MiniCrmEventType) => void;
}

/**
 * An in-process {@link EventBus} on `eventemitter3`. `publish` calls every current subscriber of the
 * type synchronously, in subscription order, before its promise resolves.
 *
 * @example
 * const bus = createMemoryEventBus();
 * const off = await bus.subscribe('campaign.stats', (stats) => console.log(stats.sent));
 */
export function createMemoryEventBus(options: MemoryEventBusOptions = {}): EventBus {
  const emitter = new EventEmitter();
  const onError =
    options.onError ??
    ((error: unknown, type: MiniCrmEventType) =>
      console.error(`[minicrm] "${type}" event handler failed`, error));

  function report(error: unknown, type: MiniCrmEventType): void {
    try {
      onError(error, type);
    } catch {
      // An error reporter that throws must not break publishing either.
    }
  }

  return {
    async publish<K extends MiniCrmEventType>(type: K, payload: MiniCrmEvents[K]): Promise<void> {
      emitter.emit(type, payload);
    },

    async subscribe<K extends MiniCrmEventType>(
      type: K,
      handler: (payload: MiniCrmEvents[K]) => void,
    ): Promise<Unsubscribe> {
      const listener = (payload: MiniCrmEvents[K]) => {
        try {
          const result = handler(payload) as unknown;
          if (result instanceof Promise) result.catch((error: unknown) => report(error, type));
        } catch (error) {
          report(error, type);
        }
      };
      emitter.on(type, listener);
      let active = true;
      return async () => {
        if (!active) return;
        active = false;
        emitter.off(type, listener);
      };
    },
  };
}
