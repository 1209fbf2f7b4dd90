import type { ReceiptStore } from '@minicrm/core';
import { LuaScript } from '../lua-script.js';
import type { StoreContext } from './context.js';

/** `SADD`s each id; returns one character per id: `1` when it was new. */
const RECORD_LUA = `
local out = {}
for i = 1, #ARGV do out[i] = tostring(redis.call('SADD', KEYS[1], ARGV[i])) end
return table.concat(out)
`;
const recordScript = new LuaScript(RECORD_LUA);

const CHUNK = 5000;

/** A `ReceiptStore` on Redis: one set of applied receipt ids, added to atomically per call (per 5,000 ids). */
export function createRedisReceiptStore(ctx: StoreContext): ReceiptStore {
  const { client, keys } = ctx;
  return {
    async recordMany(ids: readonly string[]) {
      const fresh: string[] = [];
      for (let s = 0; s < ids.length; s += CHUNK) {
        const part = ids.slice(s, s + CHUNK);
        const flags = String(await recordScript.run(client, [keys.receipts], part));
        part.forEach((id, i) => {
          if (flags.charCodeAt(i) === 49) fresh.push(id);
        });
      }
      return fresh;
    },

    async seen(ids: readonly string[]) {
      const out = new Set<string>();
      if (ids.length === 0) return out;
      const flags = await client.smismember(keys.receipts, ...ids);
      ids.forEach((id, i) => {
        if (flags[i] === 1) out.add(id);
      });
      return out;
    },
  };
}
