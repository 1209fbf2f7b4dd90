import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run with `EVALSHA`, falling back to `EVAL` (which caches it on the server again) when
 * the server answers `NOSCRIPT`: first use, `SCRIPT FLUSH`, or a restarted server. Adds nothing to
 * the caller's client (no `defineCommand`). Keys and arguments travel as one array, so batches of
 * thousands of arguments are not spread onto the call stack.
 */
export class LuaScript {
  /** SHA-1 of the source, as `EVALSHA` wants it. */
  readonly sha: string;

  /**
   * @param source Lua source.
   * @param numberOfKeys How many keys the script takes, when fixed (checked on every call).
   */
  constructor(
    readonly source: string,
    readonly numberOfKeys?: number,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with `keys` as `KEYS` and `args` as `ARGV`. */
  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (this.numberOfKeys !== undefined && keys.length !== this.numberOfKeys) {
      throw new TypeError(`script takes ${this.numberOfKeys} keys, got ${keys.length}`);
    }
    const all: string[] = [...keys];
    for (const arg of args) all.push(typeof arg === 'number' ? String(arg) : arg);
    try {
      return await client.evalsha(this.sha, keys.length, all);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, all);
    }
  }
}
