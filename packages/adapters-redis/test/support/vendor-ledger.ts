/**
 * A vendor shared by every process of a test: a channel that "sends" by recording each idempotency
 * key in Redis, so "no attempt was sent twice" can be counted across worker processes (and across a
 * Redis restart, with AOF on).
 *
 * Layout under `prefix` (a test's own prefix):
 * - `<prefix>:vendor:<idempotencyKey>` → `success` | `failure`: the message was sent (first caller);
 * - `<prefix>:vendor#stats` hash: `sends`, `duplicates`, `by:<sender>` (sends per sender);
 * - `<prefix>:vendor#dups` set: keys that were called again after being sent.
 */
import {
  attemptKey,
  type Campaign,
  type CampaignStats,
  type Channel,
  createSimulatorChannel,
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryStatus,
  type MiniCrm,
  SETTLED_DELIVERY_STATUSES,
  type SendResult,
  SIMULATED_FAILURE,
} from '@minicrm/core';
import type { Redis } from 'ioredis';

/** Options of {@link createVendorLedgerChannel}. */
export interface VendorLedgerOptions {
  /** Where the ledger lives (the caller's client; never closed here). */
  readonly client: Redis;
  /** Key prefix of the test. */
  readonly prefix: string;
  /** Channel name. @default 'sms' */
  readonly name?: string;
  /** Who sends (a worker's name), counted per sender. @default `pid:<pid>` */
  readonly sender?: string;
  /** Share of keys that succeed, drawn per key like the simulator. @default 0.9 */
  readonly successRate?: number;
  /** Seed of the per-key outcome. @default the simulator's default */
  readonly seed?: number;
  /**
   * Time the vendor's answer takes to come back after the send was recorded (ms): a process killed
   * meanwhile has sent the message without knowing it, so its redelivered job must call again with
   * the same key (a duplicate the vendor answers from the ledger). @default 0
   */
  readonly answerLatencyMs?: number;
}

/** What the ledger recorded. */
export interface VendorLedgerReport {
  /** Messages sent: first calls of a key. */
  readonly sends: number;
  /** Calls with a key already sent (answered from the ledger, nothing sent). */
  readonly duplicates: number;
  /** Sends per sender. */
  readonly bySender: Readonly<Record<string, number>>;
  /** Every key sent, with its outcome. */
  readonly keys: ReadonlyMap<string, 'success' | 'failure'>;
  /** Keys called again after their send. */
  readonly duplicateKeys: ReadonlySet<string>;
}

/** Names of the ledger's keys under `prefix`. */
export function ledgerKeys(prefix: string) {
  return {
    entry: (idempotencyKey: string) => `${prefix}:vendor:${idempotencyKey}`,
    entryPattern: `${prefix}:vendor:*`,
    stats: `${prefix}:vendor#stats`,
    dups: `${prefix}:vendor#dups`,
  };
}

// KEYS: entry, stats, dups. ARGV: outcome, sender field, idempotency key.
// `SET entry outcome NX`: the first caller sends; a repeated key returns the stored outcome.
const SEND_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('HINCRBY', KEYS[2], 'sends', 1)
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  return {1, ARGV[1]}
end
redis.call('HINCRBY', KEYS[2], 'duplicates', 1)
redis.call('SADD', KEYS[3], ARGV[3])
return {0, redis.call('GET', KEYS[1])}
`;

const rejected: SendResult = Object.freeze({
  status: 'rejected',
  retryable: true,
  errorCode: SIMULATED_FAILURE,
  error: 'simulated failure',
});

/**
 * A channel whose sends go through the shared ledger: the first call of an idempotency key (in any
 * process) sends, with the simulator's deterministic outcome for that key; a repeated key sends
 * nothing and returns the first outcome.
 */
export function createVendorLedgerChannel(options: VendorLedgerOptions): Channel {
  const { client, prefix } = options;
  const keys = ledgerKeys(prefix);
  const sender = `by:${options.sender ?? `pid:${process.pid}`}`;
  const outcomes = createSimulatorChannel({
    successRate: options.successRate ?? 0.9,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  const latency = options.answerLatencyMs ?? 0;
  return {
    name: options.name ?? 'sms',
    async send(_message, { idempotencyKey }) {
      const reply = (await client.eval(
        SEND_SCRIPT,
        3,
        keys.entry(idempotencyKey),
        keys.stats,
        keys.dups,
        outcomes.outcomeFor(idempotencyKey),
        sender,
        idempotencyKey,
      )) as [number, string];
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      return reply[1] === 'success'
        ? { status: 'accepted', vendorMessageId: `ledger-${idempotencyKey}` }
        : rejected;
    },
  };
}

/** Reads everything the ledger recorded under `prefix`. */
export async function readVendorLedger(client: Redis, prefix: string): Promise<VendorLedgerReport> {
  const keys = ledgerKeys(prefix);
  const [stats, duplicateKeys] = await Promise.all([client.hgetall(keys.stats), client.smembers(keys.dups)]);
  const names: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', keys.entryPattern, 'COUNT', 1000);
    names.push(...found);
    cursor = next;
  } while (cursor !== '0');
  const entries = new Map<string, 'success' | 'failure'>();
  const start = keys.entry('').length;
  for (let i = 0; i < names.length; i += 1000) {
    const slice = names.slice(i, i + 1000);
    const values = await client.mget(...slice);
    slice.forEach((name, k) => {
      entries.set(name.slice(start), values[k] as 'success' | 'failure');
    });
  }
  const bySender: Record<string, number> = {};
  for (const [field, value] of Object.entries(stats)) {
    if (field.startsWith('by:')) bySender[field.slice(3)] = Number(value);
  }
  return {
    sends: Number(stats.sends ?? 0),
    duplicates: Number(stats.duplicates ?? 0),
    bySender,
    keys: entries,
    duplicateKeys: new Set(duplicateKeys),
  };
}

/** Messages sent so far by one sender. */
export async function sendsBy(client: Redis, prefix: string, sender: string): Promise<number> {
  return Number((await client.hget(ledgerKeys(prefix).stats, `by:${sender}`)) ?? 0);
}

/** Every delivery of a campaign, read page by page through the engine. */
export async function listAllDeliveries(crm: MiniCrm, campaignId: string): Promise<Delivery[]> {
  const out: Delivery[] = [];
  let cursor: string | undefined;
  do {
    const page = await crm.campaigns.deliveries(campaignId, { limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

/**
 * Waits until at least `count` of the campaign's deliveries are settled (sent, failed or skipped),
 * polling its stats; returns how many were. Throws after `timeoutMs`.
 */
export async function waitUntilSettled(
  crm: MiniCrm,
  campaignId: string,
  count: number,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { byStatus } = await crm.campaigns.stats(campaignId);
    const settled = byStatus.sent + byStatus.failed + byStatus.skipped;
    if (settled >= count) return settled;
    if (Date.now() > deadline) throw new Error(`only ${settled} settled after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What {@link checkFinishedCampaign} found (for logging). */
export interface CampaignCheck {
  readonly stats: CampaignStats;
  readonly deliveries: readonly Delivery[];
  readonly ledger: VendorLedgerReport;
}

/**
 * Checks a finished campaign sent through the ledger, and throws one error listing every problem:
 * - it completed; every delivery is listed once and is in a settled status;
 * - stats reconcile: `byStatus` sums to `total` = `expectedTotal`, each count equals a recount of
 *   the listed deliveries, `attempts` equals the sum of `totalAttempts`;
 * - no attempt was sent twice: the ledger's sends equal `stats.attempts`, the keys sent are exactly
 *   the attempt keys of the deliveries (round 1, attempts 1..n), each once (the ledger refuses a
 *   second send of a key), and every duplicate call is a key that was sent;
 * - each delivery's status agrees with the vendor's outcome of its attempts.
 */
export async function checkFinishedCampaign(
  crm: MiniCrm,
  campaign: Campaign,
  client: Redis,
  prefix: string,
  options: { readonly expectedTotal: number; readonly maxAttempts: number },
): Promise<CampaignCheck> {
  const problems: string[] = [];
  const expect = (ok: boolean, message: () => string) => {
    if (!ok && problems.length < 20) problems.push(message());
  };
  expect(campaign.state === 'completed', () => `campaign is ${campaign.state}, not completed`);

  const [stats, deliveries, ledger] = await Promise.all([
    crm.campaigns.stats(campaign.id),
    listAllDeliveries(crm, campaign.id),
    readVendorLedger(client, prefix),
  ]);

  // Stats reconcile.
  const sum = DELIVERY_STATUSES.reduce((n, s) => n + stats.byStatus[s], 0);
  expect(
    stats.total === options.expectedTotal,
    () => `stats.total ${stats.total} ≠ ${options.expectedTotal}`,
  );
  expect(sum === stats.total, () => `byStatus sums to ${sum}, total is ${stats.total}`);
  expect(
    deliveries.length === options.expectedTotal,
    () => `${deliveries.length} deliveries listed, ${options.expectedTotal} expected`,
  );
  const ids = new Set(deliveries.map((d) => d.id));
  expect(ids.size === deliveries.length, () => `${deliveries.length - ids.size} deliveries listed twice`);
  const recount = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
  let attempts = 0;
  for (const d of deliveries) {
    recount[d.status]++;
    attempts += d.totalAttempts;
  }
  for (const s of DELIVERY_STATUSES) {
    expect(
      recount[s] === stats.byStatus[s],
      () => `${s}: stats say ${stats.byStatus[s]}, recount ${recount[s]}`,
    );
  }
  expect(attempts === stats.attempts, () => `stats.attempts ${stats.attempts} ≠ Σ totalAttempts ${attempts}`);

  // Every delivery terminal, and its status agrees with the vendor's outcomes.
  const expectedKeys = new Set<string>();
  for (const d of deliveries) {
    expect(SETTLED_DELIVERY_STATUSES.includes(d.status), () => `${d.id} is still ${d.status}`);
    expect(
      d.round === 1 && d.attempts === d.totalAttempts,
      () => `${d.id}: round ${d.round}, ${d.attempts}/${d.totalAttempts}`,
    );
    expect(
      d.attempts <= options.maxAttempts,
      () => `${d.id}: ${d.attempts} attempts > ${options.maxAttempts}`,
    );
    for (let a = 1; a <= d.attempts; a++) {
      const key = attemptKey(d.id, d.round, a);
      expectedKeys.add(key);
      const outcome = ledger.keys.get(key);
      const last = a === d.attempts;
      const want = last && d.status === 'sent' ? 'success' : 'failure';
      expect(
        outcome === want,
        () => `${d.id} (${d.status}) attempt ${a}: vendor outcome ${outcome}, expected ${want}`,
      );
    }
    if (d.status === 'failed') {
      expect(d.attempts === options.maxAttempts, () => `${d.id} failed after ${d.attempts} attempts`);
    }
    if (d.status === 'skipped')
      expect(d.attempts === 0, () => `${d.id} skipped after ${d.attempts} attempts`);
  }

  // No attempt was sent twice.
  expect(
    ledger.sends === stats.attempts,
    () => `vendor sends ${ledger.sends} ≠ stats.attempts ${stats.attempts}`,
  );
  expect(
    ledger.keys.size === ledger.sends,
    () => `${ledger.keys.size} keys in the ledger, ${ledger.sends} sends counted`,
  );
  expect(
    ledger.keys.size === expectedKeys.size,
    () => `${ledger.keys.size} keys sent, ${expectedKeys.size} attempts recorded on deliveries`,
  );
  for (const key of ledger.keys.keys())
    expect(expectedKeys.has(key), () => `key ${key} sent for no recorded attempt`);
  for (const key of ledger.duplicateKeys)
    expect(ledger.keys.has(key), () => `duplicate call of unsent key ${key}`);
  const bySender = Object.values(ledger.bySender).reduce((n, x) => n + x, 0);
  expect(bySender === ledger.sends, () => `sends per sender sum to ${bySender}, not ${ledger.sends}`);

  if (problems.length > 0) {
    throw new Error(`campaign ${campaign.id} does not reconcile:\n  ${problems.join('\n  ')}`);
  }
  return { stats, deliveries, ledger };
}
