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

/** Requests/s of `amount` POSTs of the given bodies (each used once) to `url`. */
async function hammer(url: string, bodies: readonly Signed[], amount: number): Promise<number> {
  let next = 0;
  const run = await autocannon({
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
  });
  const failed = run.non2xx + run.errors + run.timeouts;
  if (failed > 0) throw new Error(`bench: ${failed} of ${run.requests.total} requests failed (${url})`);
  const seconds = (new Date(run.finish).getTime() - new Date(run.start).getTime()) / 1000;
  return run.requests.total / seconds;
}

async function main(): Promise<void> {
  // Bodies for every request of both shapes, plus one spare per connection (autocannon builds each
  // connection's first request ahead).
  const batchBodies = BATCHES + CONNECTIONS;
  const singleBodies = SINGLES + CONNECTIONS;
  const audience = batchBodies * PER_BATCH + singleBodies;

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
  const batches: Signed[] = [];
  for (let k = 0; k < batchBodies; k++) {
    batches.push(sign({ receipts: ids.slice(k * PER_BATCH, (k + 1) * PER_BATCH).map(receipt) }));
  }
  const singles: Signed[] = [];
  for (let k = batchBodies * PER_BATCH; k < audience; k++) singles.push(sign(receipt(ids[k] as string)));

  // The bare route: the same body checks (core's receipt parser), no signature, no ingestion.
  const bare = Fastify({ logger: false, bodyLimit: config.bodyLimit });
  bare.post('/api/receipts', async (request, reply) => {
    const receipts = parseReceipts(request.body);
    return reply.code(202).send({ received: receipts.length });
  });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });

  // Warm both up (JIT) on throwaway bodies of the bare route's only.
  await hammer(`${bareUrl}/api/receipts`, batches.slice(0, 200), 200 - CONNECTIONS);

  const bareBatch = (await hammer(`${bareUrl}/api/receipts`, batches, BATCHES)) * PER_BATCH;
  const oursBatch = (await hammer(`${appUrl}/api/receipts`, batches, BATCHES)) * PER_BATCH;
  console.log(
    `batches of ${PER_BATCH}: ours ${fmt(oursBatch)} receipts/s, bare route ${fmt(bareBatch)} receipts/s`,
  );
  const bareSingle = await hammer(`${bareUrl}/api/receipts`, singles, SINGLES);
  const oursSingle = await hammer(`${appUrl}/api/receipts`, singles, SINGLES);
  console.log(
    `single receipts: ours ${fmt(oursSingle)} receipts/s, bare route ${fmt(bareSingle)} receipts/s`,
  );

  // Every receipt was applied and aggregated: the stats say so.
  await crm.receipts.flush();
  const stats = await crm.campaigns.stats(campaign.id);
  const expected = BATCHES * PER_BATCH + SINGLES;
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
