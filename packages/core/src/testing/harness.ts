import { afterEach, beforeEach, expect } from 'vitest';
import type { Page, PageOptions, Storage } from '../ports/storage.js';
import { createRandom } from '../util/random.js';
import type { StorageBackdoor, StorageConformanceOptions } from './options.js';

/** Per-test access to the storage under test and its back door. */
export interface StorageHarness {
  /** The storage of the running test. */
  readonly storage: Storage;
  /** The back door of the running test's storage, if the adapter gave one. */
  readonly backdoor: StorageBackdoor | undefined;
}

/** Registers `beforeEach`/`afterEach` hooks making a fresh storage per test. Call inside `describe`. */
export function useStorage(options: StorageConformanceOptions): StorageHarness {
  let current: Storage | undefined;
  let backdoor: StorageBackdoor | undefined;
  beforeEach(async () => {
    current = await options.createStorage();
    const b = options.backdoor;
    backdoor = typeof b === 'function' ? b(current) : b;
  });
  afterEach(async () => {
    current = undefined;
    backdoor = undefined;
    await options.teardown?.();
  });
  return {
    get storage(): Storage {
      if (current === undefined) throw new Error('no storage: use it inside a test');
      return current;
    },
    get backdoor(): StorageBackdoor | undefined {
      return backdoor;
    },
  };
}

/** A number from a raw record field (numbers, numeric strings and bigints accepted). */
export function toNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return Number(value);
  return Number.NaN;
}

/** Epoch ms from a raw record field (`Date`, epoch ms, numeric string or ISO string accepted). */
export function toEpochMs(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.NaN;
}

/** Expected raw fields: numbers compared numerically, `Date`s by instant, others by equality. */
export type RawExpectation = Readonly<Record<string, string | number | Date | undefined>>;

/**
 * Checks the raw stored record of `kind`/`id` through the back door (when there is one): `null`
 * expects nothing stored; otherwise each listed field must match, representation-tolerantly.
 */
export async function expectRaw(
  harness: StorageHarness,
  kind: keyof StorageBackdoor,
  id: string,
  expected: RawExpectation | null,
): Promise<void> {
  const backdoor = harness.backdoor;
  if (backdoor === undefined) return;
  const raw = (await backdoor[kind](id)) as Record<string, unknown> | null | undefined;
  if (expected === null) {
    expect(raw ?? null, `raw ${kind} "${id}" should be absent`).toBeNull();
    return;
  }
  expect(raw, `raw ${kind} "${id}" should be stored`).toBeTruthy();
  const record = raw as Record<string, unknown>;
  for (const [field, want] of Object.entries(expected)) {
    const got = record[field];
    const label = `raw ${kind} "${id}".${field}`;
    if (want instanceof Date) expect(toEpochMs(got), label).toBe(want.getTime());
    else if (typeof want === 'number') expect(toNumber(got), label).toBe(want);
    else if (want === undefined) expect(got === undefined || got === null || got === '', label).toBe(true);
    else expect(got, label).toBe(want);
  }
}

/** Reads every page of a listing, checking each page respects the limit. */
export async function drain<T>(
  list: (options: PageOptions) => Promise<Page<T>>,
  limit: number,
  maxPages = 10_000,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list({ limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages++;
    if (cursor !== undefined)
      expect(page.items.length, 'a page with a next cursor is not empty').toBeGreaterThan(0);
  } while (cursor !== undefined && pages < maxPages);
  return { items, pages };
}

/** The ids of records, in order. */
export function idsOf(records: readonly { readonly id: string }[]): string[] {
  return records.map((r) => r.id);
}

/** A small seeded PRNG (mulberry32) returning floats in [0, 1); see `createRandom`. */
export function seededRandom(seed: number): () => number {
  return createRandom(seed);
}

/** Shuffles a copy of `items` with `random`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Waits `ms` real milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retries `check` until it stops throwing, up to `timeoutMs` (real time). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(5);
    }
  }
}
