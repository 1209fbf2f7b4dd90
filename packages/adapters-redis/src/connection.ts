import { Redis, type RedisOptions } from 'ioredis';

/** How an adapter reaches Redis: a client you created (never closed by the adapter) or how to make one. */
export interface RedisConnectionOptions {
  /**
   * An `ioredis` client you created. The adapter uses it and never closes it; close it yourself after
   * closing the adapter.
   */
  readonly client?: Redis;
  /** A `redis://` URL or ioredis options, when the adapter should create (and later close) its own client. */
  readonly connection?: string | RedisOptions;
  /**
   * Prefix of every key and channel name, so several apps (or tests) share one Redis.
   * @default 'minicrm'
   */
  readonly prefix?: string;
}

/** A client plus whether this adapter owns it (created it, and so must close it). */
export interface OwnedClient {
  readonly client: Redis;
  readonly owned: boolean;
  readonly prefix: string;
}

/** Resolves the connection options into a client; creates one only when none was given. */
export function resolveClient(options: RedisConnectionOptions): OwnedClient {
  const prefix = options.prefix ?? 'minicrm';
  if (options.client !== undefined) return { client: options.client, owned: false, prefix };
  if (options.connection === undefined) {
    throw new TypeError('give a Redis client (`client`) or how to connect (`connection`)');
  }
  const client =
    typeof options.connection === 'string' ? new Redis(options.connection) : new Redis(options.connection);
  return { client, owned: true, prefix };
}

/** Closes a client only if the adapter created it. */
export async function releaseClient(owned: OwnedClient): Promise<void> {
  if (owned.owned) await owned.client.quit();
}
