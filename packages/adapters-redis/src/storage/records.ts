import type { Redis } from 'ioredis';
import { splitRecord } from './codec.js';
import { hashTagOf } from './keys.js';

/** A record as read: its revision (0 when absent) and decoded value (`null` when absent). */
export interface Versioned {
  readonly rev: number;
  readonly value: unknown;
}

/** Decodes the JSON part of the record stored under `key`. */
export type RecordDecoder = (key: string, json: string) => unknown;

const MGET_CHUNK = 5000;

/**
 * The raw values of `keys` (in order, `null` when absent): one `MGET` per hash slot (and per 5,000
 * keys), all sent at once, so one round trip.
 */
export async function mgetBySlot(client: Redis, keys: readonly string[]): Promise<(string | null)[]> {
  if (keys.length === 0) return [];
  const groups = new Map<string, number[]>();
  for (let i = 0; i < keys.length; i++) {
    const tag = hashTagOf(keys[i] as string);
    let group = groups.get(tag);
    if (group === undefined) {
      group = [];
      groups.set(tag, group);
    }
    group.push(i);
  }
  const out = new Array<string | null>(keys.length).fill(null);
  const calls: Promise<void>[] = [];
  for (const positions of groups.values()) {
    for (let s = 0; s < positions.length; s += MGET_CHUNK) {
      const part = positions.slice(s, s + MGET_CHUNK);
      const chunkKeys = part.map((p) => keys[p] as string);
      calls.push(
        client.mget(chunkKeys).then((values) => {
          for (let k = 0; k < part.length; k++) out[part[k] as number] = values[k] ?? null;
        }),
      );
    }
  }
  await Promise.all(calls);
  return out;
}

/** Reads and decodes `keys`, with their revisions. */
export async function readVersioned(
  client: Redis,
  keys: readonly string[],
  decode: RecordDecoder,
): Promise<Map<string, Versioned>> {
  const values = await mgetBySlot(client, keys);
  const out = new Map<string, Versioned>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const raw = splitRecord(values[i] ?? null);
    out.set(key, raw === null ? { rev: 0, value: null } : { rev: raw.rev, value: decode(key, raw.json) });
  }
  return out;
}

/** Reads and decodes the records of `keys` (in order; `null` when absent). */
export async function readValues<T>(
  client: Redis,
  keys: readonly string[],
  decode: (json: string) => T,
): Promise<(T | null)[]> {
  const values = await mgetBySlot(client, keys);
  return values.map((raw) => {
    const split = splitRecord(raw);
    return split === null ? null : decode(split.json);
  });
}
