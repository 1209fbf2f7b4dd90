import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run with `EVALSHA`, falling back to `EVAL` (which caches it on the server again)
 * when the server answers `NOSCRIPT`: first use, `SCRIPT FLUSH`, or a restarted server. Adds nothing
 * to the caller's client (no `defineCommand`). Keys and arguments travel as one array, so batches of
 * thousands of arguments are not spread onto the call stack.
 */
export class StorageScript {
  /** SHA-1 of the source. */
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with `keys` as `KEYS` and `args` as `ARGV`. */
  async run(client: Redis, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const all = keys.length === 0 ? [...args] : [...keys, ...args];
    try {
      return await client.evalsha(this.sha, keys.length, all);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, all);
    }
  }
}
