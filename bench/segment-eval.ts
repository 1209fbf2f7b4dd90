/**
 * segment-eval: docs/s of the compiled segment predicate over 1,000,000 in-memory customers, side by
 * side in one process with `sift` (on the equivalent MongoDB query) and a hand-written predicate.
 * All three must find the same number of matches, or the benchmark throws.
 *
 * Run alone: `pnpm tsx bench/segment-eval.ts`.
 */
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Customer, compileSegment, createRandom } from '@minicrm/core';
import sift from 'sift';
import { type BenchResult, report, result } from './result.js';
import { CITIES, catalog, DAY, NOW, RULES, TAGS } from './segment-population.js';

const N = 1_000_000;
const RUNS = 9;

function generate(n: number, seed: number): Customer[] {
  const random = createRandom(seed);
  // Lean: aggregates parts, subscriptions and tag lists are shared between customers.
  const empty = Object.freeze({ spendMinor: 0, orderCount: 0, visits: 0 });
  const subscriptions = Object.freeze({ sms: true, email: true });
  const tagSets = Array.from({ length: 1 << TAGS.length }, (_, mask) =>
    Object.freeze(TAGS.filter((_, i) => (mask >> i) & 1)),
  );
  const out: Customer[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const orders = Math.floor(random() * 9);
    const spendMinor = orders === 0 ? 0 : Math.floor(random() * (random() < 0.1 ? 5_000_000 : 1_000_000));
    const visits = random() < 0.17 ? 0 : Math.floor(random() * 13);
    const createdAt = new Date(NOW.getTime() - Math.floor(random() * 900) * DAY);
    const lastOrderAt = orders === 0 ? undefined : new Date(NOW.getTime() - Math.floor(random() * 365 * DAY));
    const lastVisitAt = visits === 0 ? undefined : new Date(NOW.getTime() - Math.floor(random() * 365 * DAY));
    out[i] = {
      id: `c${String(i).padStart(7, '0')}`,
      name: `Customer ${i}`,
      email: `customer${i}@example.com`,
      phone: `+9198${String(i).padStart(8, '0')}`,
      attributes: {
        city: CITIES[Math.floor(random() * CITIES.length)] as string,
        tags: tagSets[Math.floor(random() * random() * tagSets.length)] as readonly string[],
      },
      subscriptions,
      totalSpend: spendMinor / 100,
      totalSpendMinor: spendMinor,
      orderCount: orders,
      visits,
      firstOrderAt: lastOrderAt,
      lastOrderAt,
      lastVisitAt,
      baseline: empty,
      activity: empty,
      createdAt,
      updatedAt: createdAt,
    };
  }
  return out;
}

const NINETY_DAYS_AGO = new Date(NOW.getTime() - 90 * DAY);
const CUTOFF = new Date('2023-01-01T00:00:00.000Z');

/** The same audience as a MongoDB query, for sift. */
const MONGO_QUERY = {
  $or: [
    { totalSpend: { $gt: 20000 }, lastOrderAt: { $gte: NINETY_DAYS_AGO, $lte: NOW } },
    { 'attributes.city': { $in: ['Pune', 'Jaipur', 'Kolkata'] }, visits: { $gte: 10 } },
    { 'attributes.tags': { $in: ['vip', 'wholesale'] }, createdAt: { $lt: CUTOFF } },
  ],
};

/** What a developer would write by hand for this audience. */
function handWritten(): (c: Customer) => boolean {
  const from = NINETY_DAYS_AGO.getTime();
  const to = NOW.getTime();
  const cutoff = CUTOFF.getTime();
  return (c) => {
    if (c.totalSpend > 20000 && c.lastOrderAt !== undefined) {
      const t = c.lastOrderAt.getTime();
      if (t >= from && t <= to) return true;
    }
    const city = c.attributes.city;
    if ((city === 'Pune' || city === 'Jaipur' || city === 'Kolkata') && c.visits >= 10) return true;
    const tags = c.attributes.tags as readonly string[] | undefined;
    return (
      tags !== undefined &&
      (tags.includes('vip') || tags.includes('wholesale')) &&
      c.createdAt.getTime() < cutoff
    );
  };
}

function countMatches(customers: readonly Customer[], predicate: (c: Customer) => boolean): number {
  let n = 0;
  for (let i = 0; i < customers.length; i++) if (predicate(customers[i] as Customer)) n++;
  return n;
}

interface Contender {
  readonly name: string;
  readonly predicate: (c: Customer) => boolean;
  readonly times: number[];
  count: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/**
 * One full GC after generating the data, so the timed runs do not pay for it. (Not between runs:
 * concurrent sweeping after a GC would slow whichever contender runs next.)
 */
function collectGarbage(): void {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** Runs the benchmark and returns its two figures. */
export async function run(): Promise<BenchResult[]> {
  const customers = generate(N, 42);
  collectGarbage();
  const contenders: Contender[] = [
    { name: 'compileSegment', predicate: compileSegment(RULES, { catalog, now: NOW }), times: [], count: -1 },
    { name: 'sift', predicate: sift(MONGO_QUERY) as (c: Customer) => boolean, times: [], count: -1 },
    { name: 'hand-written', predicate: handWritten(), times: [], count: -1 },
  ];
  // Warm up each on a slice, then interleave full runs so drift affects all alike.
  for (const c of contenders)
    for (let i = 0; i < 3; i++) countMatches(customers.slice(0, 100_000), c.predicate);
  for (let r = 0; r < RUNS; r++) {
    for (const c of contenders) {
      const start = process.hrtime.bigint();
      const count = countMatches(customers, c.predicate);
      c.times.push(Number(process.hrtime.bigint() - start) / 1e9);
      if (c.count !== -1 && c.count !== count) throw new Error(`${c.name}: match count changed between runs`);
      c.count = count;
    }
  }
  const [ours, siftRun, hand] = contenders as [Contender, Contender, Contender];
  for (const c of contenders) {
    if (c.count !== ours.count)
      throw new Error(`match counts differ: ${contenders.map((x) => `${x.name}=${x.count}`).join(', ')}`);
  }
  const rate = (c: Contender) => N / median(c.times);
  for (const c of contenders) {
    console.log(
      `${c.name.padEnd(15)} median ${(median(c.times) * 1000).toFixed(1)} ms, best ${(Math.min(...c.times) * 1000).toFixed(1)} ms, ` +
        `${(rate(c) / 1e6).toFixed(2)} M docs/s, ${c.count} matches of ${N}`,
    );
  }
  return [
    result('segment-eval', 'docs/s', rate(ours), 'sift', rate(siftRun)),
    result('segment-eval-vs-handwritten', 'docs/s', rate(ours), 'hand-written predicate', rate(hand)),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) report(await run());
