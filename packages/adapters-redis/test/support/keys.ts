/** Key helpers for the Redis tests: fresh prefixes, and finding or deleting a prefix's keys. */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A fresh key prefix for one test. */
export function freshPrefix(label: string): string {
  return `test-${label}-${randomBytes(6).toString('hex')}`;
}

/** Every key matching the `SCAN` pattern `match`. */
export async function keysMatching(client: Redis, match: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    out.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return out;
}

/** Every storage key of `prefix` (they all carry the hash tag `{<prefix>:…}`). */
export function keysOf(client: Redis, prefix: string): Promise<string[]> {
  return keysMatching(client, `{${prefix}:*`);
}

/** Deletes every key matching `match` (default: the storage keys of a prefix, `{<prefix>:*`). */
export async function deleteKeys(client: Redis, prefix: string, match = `{${prefix}:*`): Promise<void> {
  const keys = await keysMatching(client, match);
  for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
}
