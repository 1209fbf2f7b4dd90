import type { EventBus, MiniCrmEvents, MiniCrmEventType, Unsubscribe } from '@minicrm/core';
import type { Redis } from 'ioredis';
import { type RedisConnectionOptions, releaseClient, resolveClient } from '../connection.js';
import { decodeJson, encodeJson } from './codec.js';

/** Options of {@link createRedisEventBus}. */
export interface RedisEventBusOptions extends RedisConnectionOptions {
  /**
   * Called when a handler throws (or its promise rejects), or a message cannot be decoded. The
   * error never reaches the publisher or the other handlers.
   * @default logs with `console.error`
   */
  readonly onError?: (error: unknown, type: MiniCrmEventType) => void;
}

/** An {@link EventBus} on Redis pub/sub, with a `close`. */
export interface RedisEventBus extends EventBus {
  /** The channel an event type is published on: `${prefix}:events:${type}`. */
  channel(type: MiniCrmEventType): string;
  /**
   * Drops every subscription, closes the subscriber connection and, if the bus created it, its
   * client. Never closes a client it was given. Idempotent; `publish` and `subscribe` throw after.
   */
  close(): Promise<void>;
}

type Handler = (payload: unknown) => void;

/**
 * An {@link EventBus} across processes on Redis pub/sub: `publish` is one `PUBLISH` to
 * `${prefix}:events:${type}` of the payload as JSON (`Date`s travel as `{ "$date": iso }` and come
 * back as `Date`s); every process subscribed to the type receives it. Subscriptions share one
 * subscriber connection (a `duplicate()` of the client, owned by the bus), opened on the first
 * `subscribe`; `subscribe` resolves once Redis has confirmed the `SUBSCRIBE`, and ioredis
 * resubscribes after a reconnect. Pub/sub is fire-and-forget: a process that is down or
 * reconnecting misses the events published meanwhile.
 *
 * @example
 * const bus = createRedisEventBus({ client: new Redis(process.env.REDIS_URL) });
 * const off = await bus.subscribe('campaign.stats', (stats) => console.log(stats.sent));
 * await bus.publish('customer.created', { customerId: 'c1', at: Date.now() });
 * await off();
 * await bus.close();
 */
export function createRedisEventBus(options: RedisEventBusOptions = {}): RedisEventBus {
  const owned = resolveClient(options);
  const base = `${owned.prefix}:events:`;
  const handlers = new Map<string, Set<Handler>>();
  /** Per channel, the last (un)subscribe sent, so they reach Redis in order. */
  const pending = new Map<string, Promise<unknown>>();
  let subscriber: Redis | null = null;
  let closed: Promise<void> | null = null;
  const onError =
    options.onError ??
    ((error: unknown, type: MiniCrmEventType) =>
      console.error(`[minicrm] "${type}" event handler failed`, error));

  function report(error: unknown, type: MiniCrmEventType): void {
    try {
      onError(error, type);
    } catch {
      // An error reporter that throws must not break delivery either.
    }
  }

  function dispatch(channel: string, message: string): void {
    const set = handlers.get(channel);
    if (set === undefined || set.size === 0) return;
    const type = channel.slice(base.length) as MiniCrmEventType;
    let payload: unknown;
    try {
      payload = decodeJson(message);
    } catch (error) {
      report(error, type);
      return;
    }
    for (const handler of [...set]) {
      try {
        const result = handler(payload) as unknown;
        if (result instanceof Promise) result.catch((error: unknown) => report(error, type));
      } catch (error) {
        report(error, type);
      }
    }
  }

  function connection(): Redis {
    if (subscriber === null) {
      subscriber = owned.client.duplicate({ autoResubscribe: true, lazyConnect: false });
      subscriber.on('message', dispatch);
      subscriber.on('error', () => undefined); // reconnects on its own; commands surface errors
    }
    return subscriber;
  }

  /** Runs `op` after the previous (un)subscribe of `channel` settled. */
  function serial(channel: string, op: () => Promise<unknown>): Promise<unknown> {
    const next = (pending.get(channel) ?? Promise.resolve()).then(op, op);
    const settled = next.catch(() => undefined);
    pending.set(channel, settled);
    void settled.then(() => {
      if (pending.get(channel) === settled) pending.delete(channel);
    });
    return next;
  }

  function assertOpen(): void {
    if (closed !== null) throw new Error('the Redis event bus is closed');
  }

  const channel = (type: MiniCrmEventType): string => `${base}${type}`;

  return {
    channel,

    async publish<K extends MiniCrmEventType>(type: K, payload: MiniCrmEvents[K]): Promise<void> {
      assertOpen();
      await owned.client.publish(channel(type), encodeJson(payload));
    },

    async subscribe<K extends MiniCrmEventType>(
      type: K,
      handler: (payload: MiniCrmEvents[K]) => void,
    ): Promise<Unsubscribe> {
      assertOpen();
      const name = channel(type);
      const sub = connection();
      const own = handler as Handler;
      let set = handlers.get(name);
      if (set === undefined) {
        set = new Set();
        handlers.set(name, set);
      }
      set.add(own);
      try {
        // Every subscribe waits for Redis's confirmation, even when the channel is already on.
        await serial(name, () => sub.subscribe(name));
      } catch (error) {
        set.delete(own);
        throw error;
      }
      let active = true;
      return async () => {
        if (!active) return;
        active = false;
        const current = handlers.get(name);
        current?.delete(own);
        if (current !== undefined && current.size === 0 && closed === null) {
          await serial(name, async () => {
            if ((handlers.get(name)?.size ?? 0) === 0) await sub.unsubscribe(name);
          });
        }
      };
    },

    close(): Promise<void> {
      closed ??= (async () => {
        handlers.clear();
        const sub = subscriber;
        subscriber = null;
        if (sub !== null) {
          try {
            await sub.quit();
          } catch {
            sub.disconnect();
          }
        }
        await releaseClient(owned);
      })();
      return closed;
    },
  };
}
