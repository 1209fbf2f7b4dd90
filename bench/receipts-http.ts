/**
 * receipts-http: receipts per second through the reference server's `POST /api/receipts` (HMAC
 * signature checked over the raw body, body validated, receipts deduplicated, matched to their
 * deliveries and aggregated into the campaign's stats), driven by autocannon over loopback, side by
 * side in the same run with a bare Fastify route that only validates the same body (core's receipt
 * parser, which the real route also runs) and answers 202.
 *
 * Two shapes: batches of 100 receipts per request, and one receipt per request. Every receipt is
 * distinct and moves a `sent` delivery to `delivered`, so each one is real work (not a duplicate).
 *
 * Run alone: `pnpm tsx bench/receipts-http.ts` (after building core and the adapters).
 * `BENCH_RECEIPTS_BATCHES` and `BENCH_RECEIPTS_SINGLES` change the request counts.
 */
import { type Channel, parseReceipts } from '@minicrm/core';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { buildApp } from '../examples/server/src/app.js';
import { loadConfig } from '../examples/server/src/config.js';
import { SIGNATURE_HEADER, signReceiptBody } from '../examples/server/src/receipts/signature.js';
import { report, result } from './result.js';

const BATCHES = Number(process.env.BENCH_RECEIPTS_BATCHES ?? 2000);
const SINGLES = Number(process.env.BENCH_RECEIPTS_SINGLES ?? 30_000);
const PER_BATCH = 100;
const CONNECTIONS = 50;
const SECRET = 'bench-receipt-secret-0123456789abcdef';
const fmt = (x: number) => Math.round(x).toLocaleString('en');

/** A signed request body. */
interface Signed {
  readonly body: string;
  readonly signature: string;
}

/** A channel whose vendor accepts at once and reports the outcome later (by receipt). */
const acceptingSms: Channel = {
  name: 'sms',
  reportsOutcomes: true,
  async send(message) {
    return { status: 'accepted', vendorMessageId: `vm-${message.customerId}` };
  },
};

/**
 * Requests/s of `amount` POSTs of the given bodies (each used once) to `url`, timed from the start
 * to the last response (autocannon's own start/finish are aligned to its 1 s sampling ticks).
 */
async function hammer(url: string, bodies: readonly Signed[], amount: number): Promise<number> {
  let next = 0;
  let last = 0;
  const started = performance.now();
  const run = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: CONNECTIONS,
        amount,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const signed = bodies[next++];
              if (signed === undefined) throw new Error('bench: ran out of request bodies');
              return {
                ...request,
                body: signed.body,
                headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signed.signature },
              };
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', () => {
      last = performance.now();
    });
  });
  const failed = run.non2xx + run.errors + run.timeouts;
  if (failed > 0) throw new Error(`bench: ${failed} of ${run.requests.total} requests failed (${url})`);
  return run.requests.total / ((last - started) / 1000);
}

async function main(): Promise<void> {
  // Distinct receipts for every request ours gets, warm-up included, plus one spare body per
  // connection and run (autocannon builds each connection's first request ahead). The bare route
  // stores nothing, so it runs on the same bodies.
  const WARM_BATCHES = 200;
  const WARM_SINGLES = 2000;
  const audience =
    (WARM_BATCHES + BATCHES + 2 * CONNECTIONS) * PER_BATCH + WARM_SINGLES + SINGLES + 2 * CONNECTIONS;

  const config = loadConfig({
    NODE_ENV: 'production',
    JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
    RECEIPT_SECRET: SECRET,
    SEED_DEMO_DATA: 'false',
    RATE_LIMIT_RECEIPTS: '0',
    HOST: '127.0.0.1',
    PORT: '0',
  });
  const app = await buildApp(config, { logger: false, channels: [acceptingSms] });
  const crm = app.crm;
  for (let i = 0; i < audience; i += 5000) {
    const customers = [];
    for (let j = i; j < Math.min(audience, i + 5000); j++) {
      customers.push({
        id: `cust-${String(j).padStart(7, '0')}`,
        name: `Customer ${j}`,
        phone: `+1555${String(j).padStart(7, '0')}`,
      });
    }
    await crm.customers.upsert(customers);
  }
  const campaign = await crm.campaigns.create({
    name: 'Receipts benchmark',
    channel: 'sms',
    template: 'Hi {{ customer.name }}!',
    rules: { combinator: 'and', rules: [{ field: 'name', operator: 'exists' }] },
  });
  await crm.campaigns.launch(campaign.id);
  for (;;) {
    const stats = await crm.campaigns.stats(campaign.id);
    if (stats.byStatus.sent === audience) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const ids: string[] = [];
  for (let cursor: string | undefined; ; ) {
    const page = await crm.campaigns.deliveries(campaign.id, { limit: 1000, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((d) => d.id));
    if (page.nextCursor === null || page.nextCursor === undefined) break;
    cursor = page.nextCursor;
  }
  console.log(`${fmt(ids.length)} deliveries sent, awaiting their receipts`);

  const at = new Date().toISOString();
  const receipt = (deliveryId: string) => ({ id: `r-${deliveryId}`, deliveryId, status: 'DELIVERED', at });
  const sign = (value: unknown): Signed => {
    const body = JSON.stringify(value);
    return { body, signature: signReceiptBody(SECRET, body) };
  };
  let used = 0;
  /** Signed bodies of `count` requests of `perRequest` receipts each, for deliveries not used yet. */
  const take = (count: number, perRequest: number): Signed[] => {
    const out: Signed[] = [];
    for (let k = 0; k < count + CONNECTIONS; k++) {
      const slice = ids.slice(used, used + perRequest).map(receipt);
      used += perRequest;
      out.push(sign(perRequest === 1 ? slice[0] : { receipts: slice }));
    }
    return out;
  };
  const warmBatches = take(WARM_BATCHES, PER_BATCH);
  const batches = take(BATCHES, PER_BATCH);
  const warmSingles = take(WARM_SINGLES, 1);
  const singles = take(SINGLES, 1);

  // The bare route: the same body checks (core's receipt parser), no signature, no ingestion.
  const bare = Fastify({ logger: false, bodyLimit: config.bodyLimit });
  bare.post('/api/receipts', async (request, reply) => {
    const receipts = parseReceipts(request.body);
    return reply.code(202).send({ received: receipts.length });
  });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });

  // Each side is warmed up (JIT, pools) before it is measured.
  const bareRoute = `${bareUrl}/api/receipts`;
  const ourRoute = `${appUrl}/api/receipts`;
  await hammer(bareRoute, batches, BATCHES);
  const bareBatch = (await hammer(bareRoute, batches, BATCHES)) * PER_BATCH;
  await hammer(ourRoute, warmBatches, WARM_BATCHES);
  const oursBatch = (await hammer(ourRoute, batches, BATCHES)) * PER_BATCH;
  console.log(
    `batches of ${PER_BATCH}: ours ${fmt(oursBatch)} receipts/s, bare route ${fmt(bareBatch)} receipts/s`,
  );
  await hammer(bareRoute, singles, SINGLES);
  const bareSingle = await hammer(bareRoute, singles, SINGLES);
  await hammer(ourRoute, warmSingles, WARM_SINGLES);
  const oursSingle = await hammer(ourRoute, singles, SINGLES);
  console.log(
    `single receipts: ours ${fmt(oursSingle)} receipts/s, bare route ${fmt(bareSingle)} receipts/s`,
  );

  // Every receipt was applied and aggregated: the stats say so.
  await crm.receipts.flush();
  const stats = await crm.campaigns.stats(campaign.id);
  const expected = (WARM_BATCHES + BATCHES) * PER_BATCH + WARM_SINGLES + SINGLES;
  if (stats.byStatus.delivered < expected) {
    throw new Error(`bench: ${stats.byStatus.delivered} deliveries delivered, expected at least ${expected}`);
  }
  console.log(`stats: ${fmt(stats.byStatus.delivered)} delivered, ${fmt(stats.byStatus.sent)} still sent`);

  await bare.close();
  await app.close();
  report([
    result(
      'receipts-http-batch-100',
      'receipts/s',
      oursBatch,
      'bare Fastify route, same validation',
      bareBatch,
    ),
    result(
      'receipts-http-single',
      'receipts/s',
      oursSingle,
      'bare Fastify route, same validation',
      bareSingle,
    ),
  ]);
}

await main();
