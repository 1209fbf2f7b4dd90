import { describe, expect, it } from 'vitest';
import {
  createMemoryStorage,
  type Logger,
  type MiniCrm,
  type MiniCrmEvents,
  type Storage,
  TemplateError,
} from '../src/index.js';
import { type ManualCrm, manualCrm, people, settle, smsCampaign } from './support/campaign-harness.js';

const LEASE_MS = 1_000;

/** Loops as many times as the customer has visits: fine for most, past the memory limit for c007. */
const TEMPLATE = 'Hi {{ customer.name }}{% for i in (1..customer.visits) %}!{% endfor %}';
const REASON =
  'the template cannot be rendered for customer "c007": rendering builds more than 1000000 items of ranges, arrays and strings (line 1, column 23)';

/** Storage whose audience reads are counted (every launch attempt reads), with a hook per read. */
function countingStorage(onRead: (n: number) => Promise<void> = async () => {}) {
  const base = createMemoryStorage();
  const counter = { reads: 0 };
  const query = base.customers.query?.bind(base.customers);
  if (query === undefined) throw new Error('memory storage pushes segment queries down');
  const storage: Storage = {
    ...base,
    customers: {
      ...base.customers,
      async query(q, page) {
        counter.reads++;
        await onRead(counter.reads);
        return query(q, page);
      },
    },
  };
  return { storage, counter };
}

/** Records every `error` log line. */
function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, info() {}, warn() {}, error: (_obj, msg) => errors.push(msg ?? '') };
}

async function engine(storage: Storage, logger: Logger): Promise<ManualCrm> {
  return manualCrm({
    crm: { storage, logger, launchBatchSize: 3, launchLeaseMs: LEASE_MS },
    customers: people(10, (i) => ({ visits: i === 7 ? 200_000_000 : 2 })),
  });
}

async function stateEvents(crm: MiniCrm): Promise<string[]> {
  const seen: string[] = [];
  await crm.subscribe('campaign.state', (e: MiniCrmEvents['campaign.state']) =>
    seen.push(`${e.from}→${e.to}`),
  );
  return seen;
}

/** What a worker's maintenance does, lease after lease: resume stalled launches (errors kept, as it logs them). */
async function maintainPastLeases(h: ManualCrm, leases: number): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (let i = 0; i < leases; i++) {
    h.clock.advance(LEASE_MS + 1);
    await h.crm.campaigns.resumeStalledLaunches().catch((error: unknown) => errors.push(error));
    await settle(h);
  }
  return errors;
}

describe('a launch whose template cannot render', () => {
  it('fails the campaign once, with the reason, and is never launched again', async () => {
    const { storage, counter } = countingStorage();
    const logger = recordingLogger();
    const h = await engine(storage, logger);
    const states = await stateEvents(h.crm);
    const campaign = await smsCampaign(h.crm, { template: TEMPLATE });

    const launched = await h.crm.campaigns.launch(campaign.id);
    expect(launched).toMatchObject({ state: 'failed', error: REASON });
    const readsAtFailure = counter.reads;

    expect(await maintainPastLeases(h, 5)).toEqual([]);
    expect(counter.reads).toBe(readsAtFailure); // no launch attempt after the failure
    expect(await h.crm.campaigns.get(campaign.id)).toMatchObject({ state: 'failed', error: REASON });
    expect(states).toEqual(['draft→running', 'running→failed']);
    expect(logger.errors).toEqual(['campaign failed']);
    // The pages written before c007 were never sent: their deliveries ended cancelled.
    const stats = await h.crm.campaigns.stats(campaign.id);
    expect(stats.byStatus).toMatchObject({ cancelled: stats.total, sent: 0 });
    expect(h.sms.stats().uniqueKeys).toBe(0);
    await h.crm.close();
  });

  it('fails a campaign paused while its audience was being snapshotted, too', async () => {
    let h: ManualCrm | undefined;
    let campaignId = '';
    const { storage, counter } = countingStorage(async (n) => {
      if (n === 2 && h !== undefined) await h.crm.campaigns.pause(campaignId);
    });
    const logger = recordingLogger();
    h = await engine(storage, logger);
    const states = await stateEvents(h.crm);
    campaignId = (await smsCampaign(h.crm, { template: TEMPLATE })).id;

    expect(await h.crm.campaigns.launch(campaignId)).toMatchObject({ state: 'failed', error: REASON });
    const readsAtFailure = counter.reads;
    expect(await maintainPastLeases(h, 3)).toEqual([]);
    expect(counter.reads).toBe(readsAtFailure);
    expect(states).toEqual(['draft→running', 'running→paused', 'paused→failed']);
    expect(logger.errors).toEqual(['campaign failed']);
    await h.crm.close();
  });

  it('refuses a test send for that customer with a TemplateError naming them, sending nothing', async () => {
    const h = await engine(createMemoryStorage(), recordingLogger());
    const campaign = await smsCampaign(h.crm, { template: TEMPLATE });
    expect((await h.crm.campaigns.testSend(campaign.id, { customerId: 'c006' })).message).toBe(
      'Hi Customer 6!!',
    );
    const start = performance.now();
    const error = await h.crm.campaigns
      .testSend(campaign.id, { customerId: 'c007' })
      .catch((e: unknown) => e);
    expect(performance.now() - start).toBeLessThan(500);
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).problems).toEqual([
      {
        path: ['template'],
        code: 'template_memory_limit',
        message:
          'for customer "c007": rendering builds more than 1000000 items of ranges, arrays and strings (line 1, column 23)',
      },
    ]);
    expect(h.sms.stats().uniqueKeys).toBe(1);
    await h.crm.close();
  });
});
