/**
 * segment-mongo: count and stream the members of the three-branch benchmark rule (the one of
 * bench/segment-eval.ts) over 200,000 customers stored in MongoDB, with push-down (count: the
 * storage's `customers.count`, i.e. `countDocuments` of `compileMongoFilter`'s filter; stream: one
 * cursor over that filter, read in batches of 1,000 and decoded) against fetching every customer
 * through the same kind of cursor and filtering in the app with `compileSegment`, in the same run.
 * All three must agree on the members. (One cursor rather than `customers.query` pages: FerretDB
 * re-scans the collection for every page, which would measure its paging, not the push-down.)
 *
 * Server: `MONGO_URL` when set, else a FerretDB started here (packages/adapters-mongo/test/support).
 * Run alone: `pnpm --filter @minicrm/adapters-mongo build && pnpm tsx bench/segment-mongo.ts`
 * (`SEGMENT_MONGO_N` changes the number of customers).
 */
import { fileURLToPath } from 'node:url';
import {
  compileMongoFilter,
  createMongoStorage,
  decodeCustomer,
  encodeCustomer,
} from '@minicrm/adapters-mongo';
import { type Customer, compileSegment, createRandom, type SegmentQuery } from '@minicrm/core';
import { type Collection, type Db, type Document, type Filter, MongoClient } from 'mongodb';
import { findFerretDb, startFerretDb } from '../packages/adapters-mongo/test/support/ferretdb-server.js';
import { type BenchResult, report, result } from './result.js';
import { CITIES, catalog, DAY, NOW, RULES, TAGS } from './segment-population.js';

const N = Number(process.env.SEGMENT_MONGO_N ?? 200_000);
const RUNS = Number(process.env.SEGMENT_MONGO_RUNS ?? 3);
const BATCH = 1000;

interface Doc extends Document {
  _id: string;
}

/** The same population as bench/segment-eval.ts (same distributions, same seed). */
function customer(i: number, random: () => number): Customer {
  const empty = { spendMinor: 0, orderCount: 0, visits: 0 };
  const orders = Math.floor(random() * 9);
  const spendMinor = orders === 0 ? 0 : Math.floor(random() * (random() < 0.1 ? 5_000_000 : 1_000_000));
  const visits = random() < 0.17 ? 0 : Math.floor(random() * 13);
  const createdAt = new Date(NOW.getTime() - Math.floor(random() * 900) * DAY);
  const lastOrderAt = orders === 0 ? undefined : new Date(NOW.getTime() - Math.floor(random() * 365 * DAY));
  const lastVisitAt = visits === 0 ? undefined : new Date(NOW.getTime() - Math.floor(random() * 365 * DAY));
  const mask = Math.floor(random() * random() * (1 << TAGS.length));
  return {
    id: `c${String(i).padStart(7, '0')}`,
    name: `Customer ${i}`,
    email: `customer${i}@example.com`,
    phone: `+9198${String(i).padStart(8, '0')}`,
    attributes: {
      city: CITIES[Math.floor(random() * CITIES.length)] as string,
      tags: TAGS.filter((_, k) => (mask >> k) & 1),
    },
    subscriptions: { sms: true, email: true },
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

/** Writes N customers straight into the collection (the benchmark is about reading them). */
async function seed(db: Db, prefix: string): Promise<void> {
  const collection = db.collection(`${prefix}customers`);
  const random = createRandom(42);
  for (let start = 0; start < N; start += 5000) {
    const docs = [];
    for (let i = start; i < Math.min(N, start + 5000); i++)
      docs.push(encodeCustomer(customer(i, random), { _rev: 1 }));
    await collection.insertMany(docs, { ordered: false });
  }
}

async function serverName(db: Db): Promise<string> {
  const info = await db.command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string'
    ? `FerretDB ${info.ferretdbVersion} (sqlite handler; MongoDB ${String(info.version)} wire)`
    : `MongoDB ${String(info.version)}`;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Every member id, streamed in batches by one cursor over the pushed-down filter. */
async function streamPushDown(customers: Collection<Doc>, filter: Filter<Doc>): Promise<string[]> {
  const ids: string[] = [];
  for await (const doc of customers.find(filter, {
    sort: { _id: 1 },
    batchSize: BATCH,
    projection: { _j: 0 },
  })) {
    ids.push(decodeCustomer(doc).id);
  }
  return ids;
}

/** Every member id, fetching every customer (one cursor, same batches) and filtering in the app. */
async function streamInApp(customers: Collection<Doc>): Promise<string[]> {
  const matches = compileSegment(RULES, { catalog, now: NOW });
  const ids: string[] = [];
  for await (const doc of customers.find({}, { sort: { _id: 1 }, batchSize: BATCH, projection: { _j: 0 } })) {
    const c = decodeCustomer(doc);
    if (matches(c)) ids.push(c.id);
  }
  return ids;
}

/** Runs the benchmark and returns its figures. */
export async function run(): Promise<BenchResult[]> {
  const ferret = process.env.MONGO_URL ? undefined : findFerretDb();
  if (!process.env.MONGO_URL && ferret === undefined)
    throw new Error('segment-mongo: set MONGO_URL or install ferretdb');
  const server = ferret === undefined ? undefined : await startFerretDb(ferret);
  const client = new MongoClient(process.env.MONGO_URL ?? (server?.url as string));
  const db = client.db(`minicrm_bench_${Date.now().toString(36)}`);
  try {
    const storage = createMongoStorage({ db, collectionPrefix: 'bench_' });
    const name = await serverName(db);
    console.log(`segment-mongo on ${name}: seeding ${N} customers…`);
    const seeded = await timed(() => seed(db, 'bench_'));
    await storage.ensureIndexes();
    console.log(`seeded in ${seeded.seconds.toFixed(1)} s`);
    const query: SegmentQuery = { rules: RULES, now: NOW, catalog };
    const customers = db.collection<Doc>('bench_customers');
    const filter = compileMongoFilter(RULES, { catalog, now: NOW }) as Filter<Doc>;
    const t = {
      count: [] as number[],
      stream: [] as number[],
      appCount: [] as number[],
      appStream: [] as number[],
    };
    let members = -1;
    for (let r = 0; r < RUNS; r++) {
      const count = await timed(() =>
        (storage.customers.count as NonNullable<typeof storage.customers.count>)(query),
      );
      const stream = await timed(() => streamPushDown(customers, filter));
      const app = await timed(() => streamInApp(customers));
      if (count.value !== stream.value.length || stream.value.join() !== app.value.join()) {
        throw new Error(
          `members differ: count ${count.value}, streamed ${stream.value.length}, in app ${app.value.length}`,
        );
      }
      members = count.value;
      t.count.push(count.seconds);
      t.stream.push(stream.seconds);
      // The in-app baseline has to read everything either way: its count and its stream cost the same.
      t.appCount.push(app.seconds);
      t.appStream.push(app.seconds);
      console.log(
        `run ${r + 1}: count ${(count.seconds * 1000).toFixed(0)} ms, stream ${(stream.seconds * 1000).toFixed(0)} ms, ` +
          `fetch all + filter ${(app.seconds * 1000).toFixed(0)} ms (${members} members of ${N})`,
      );
    }
    const rate = (xs: number[]) => N / median(xs);
    const baseline = `fetch all + compileSegment in app (${name})`;
    return [
      result('segment-mongo-count', 'customers/s', rate(t.count), baseline, rate(t.appCount)),
      result('segment-mongo-stream', 'customers/s', rate(t.stream), baseline, rate(t.appStream)),
    ];
  } finally {
    await db.dropDatabase().catch(() => {});
    await client.close();
    await server?.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) report(await run());
