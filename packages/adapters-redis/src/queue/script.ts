import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run with `EVALSHA`, falling back to `EVAL` (which also caches it on the server) when
 * the server answers `NOSCRIPT` (first use, or after `SCRIPT FLUSH` or a restart). Unlike
 * `defineCommand`, it adds nothing to the caller's client.
 */
export class LuaScript {
  /** SHA1 of the source, as `EVALSHA` wants it. */
  readonly sha: string;

  /**
   * @param source Lua source.
   * @param numberOfKeys How many of the arguments are keys (they come first).
   */
  constructor(
    readonly source: string,
    readonly numberOfKeys: number,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with `keys` (exactly `numberOfKeys` of them) and `args`. */
  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, this.numberOfKeys, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, this.numberOfKeys, ...keys, ...args);
    }
  }
}
