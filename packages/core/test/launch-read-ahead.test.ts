import { describe, expect, it } from 'vitest';
import { AdapterError, createMemoryStorage, type MiniCrm, type Storage } from '../src/index.js';
import { drain, expectStatsMatchLog, manualCrm, smsCampaign } from './support/campaign-harness.js';

/** Memory storage recording audience page reads (`customers.query`) and delivery writes, optionally failing a read. */
function recordingStorage(options: { failRead?: number; onCreate?: (call: number) => Promise<void> } = {}) {
  const base = createMemoryStorage();
  const events: string[] = [];
  let reads = 0;
  let creates = 0;
  const storage: Storage = {
    ...base,
    customers: {
      ...base.customers,
      async query(query, page) {
        const n = ++reads;
        events.push(`read ${n}`);
        if (n === options.failRead) throw new Error('customer page lost');
        return (base.customers.query as NonNullable<typeof base.customers.query>)(query, page);
      },
    },
    deliveries: {
      ...base.deliveries,
      async createMany(deliveries) {
        const n = ++creates;
        await options.onCreate?.(n);
        const ids = await base.deliveries.createMany(deliveries);
        events.push(`created ${n}`);
        return ids;
      },
    },
  };
  return { storage, events };
}

describe('launch reads the next audience page while writing the current one', () => {
  it('starts reading page n + 1 before page n is written, and writes every page once', async () => {
    const { storage, events } = recordingStorage();
    const h = await manualCrm({ customers: 12, crm: { storage, launchBatchSize: 5 } });
    const c = await smsCampaign(h.crm);
    events.length = 0; // the upsert's reads, if any
    const launched = await h.crm.campaigns.launch(c.id);
    expect(launched.launch).toMatchObject({ done: true, processed: 12, scheduled: 12 });
    expect(events).toEqual(['read 1', 'read 2', 'created 1', 'read 3', 'created 2', 'created 3']);
    await drain(h, c.id);
    expect((await expectStatsMatchLog(h.crm, c.id)).byStatus.sent).toBe(12);
    expect(h.sms.stats()).toMatchObject({ uniqueKeys: 12, duplicateCalls: 0 });
  });

  it('a page read ahead that fails stops the launch at the last written page; launch() resumes it', async () => {
    const { storage } = recordingStorage({ failRead: 3 });
    const h = await manualCrm({ customers: 12, crm: { storage, launchBatchSize: 5 } });
    const c = await smsCampaign(h.crm);
    const error = await h.crm.campaigns.launch(c.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).toMatchObject({ operation: 'storage.customers.query' });
    const stalled = await h.crm.campaigns.get(c.id);
    expect(stalled?.launch).toMatchObject({ done: false, processed: 10, scheduled: 10 });
    expect((await h.crm.campaigns.launch(c.id)).launch).toMatchObject({ done: true, processed: 12 });
    await drain(h, c.id);
    expect((await expectStatsMatchLog(h.crm, c.id)).total).toBe(12);
    expect(h.sms.stats()).toMatchObject({ uniqueKeys: 12, duplicateCalls: 0 });
  });

  it('a launch that stops (cancelled) drops the page it read ahead, and that read failing', async () => {
    let crm: MiniCrm | undefined;
    let campaignId = '';
    const { storage, events } = recordingStorage({
      failRead: 2,
      onCreate: async (call) => {
        if (call === 1) await (crm as MiniCrm).campaigns.cancel(campaignId);
      },
    });
    const h = await manualCrm({ customers: 12, crm: { storage, launchBatchSize: 5 } });
    crm = h.crm;
    const c = await smsCampaign(h.crm);
    campaignId = c.id;
    events.length = 0;
    // No rejection: the failed read of page 2 was never needed (an unhandled one fails the test run).
    const ended = await h.crm.campaigns.launch(c.id);
    expect(ended.state).toBe('cancelled');
    expect(events).toEqual(['read 1', 'read 2', 'created 1']);
  });
});
