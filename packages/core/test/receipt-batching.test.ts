import { describe, expect, it } from 'vitest';
import { createMemoryStorage, type Delivery, type Storage } from '../src/index.js';
import { allDeliveries, drain, manualCrm, smsCampaign, T0 } from './support/campaign-harness.js';

/** Memory storage whose receipt lookups can be held, recording the ids of each lookup. */
function gatedStorage() {
  const storage = createMemoryStorage();
  const lookups: string[][] = [];
  let gate: Promise<void> | null = null;
  let open = () => {};
  const wrapped: Storage = {
    ...storage,
    receipts: {
      ...storage.receipts,
      seen: async (ids) => {
        lookups.push([...ids]);
        if (gate !== null) await gate;
        return storage.receipts.seen(ids);
      },
    },
  };
  return {
    storage: wrapped,
    lookups,
    hold() {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = null;
      open();
    },
  };
}

describe('receipt batching (group commit)', () => {
  it('applies a lone receipt at once (no timer), and gathers newcomers while a batch is applied', async () => {
    const gated = gatedStorage();
    const h = await manualCrm({ customers: 3, crm: { storage: gated.storage } });
    const c = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(c.id);
    await drain(h, c.id);
    const [d1, d2, d3] = (await allDeliveries(h.crm, c.id)) as [Delivery, Delivery, Delivery];
    const at = new Date(T0 + 1000).toISOString();
    const receipt = (d: Delivery) => ({ id: `r-${d.id}`, deliveryId: d.id, status: 'DELIVERED', at });

    // Idle: applied without the clock moving (a manual clock never fires the batch timer by itself).
    gated.lookups.length = 0;
    expect(await h.crm.receipts.ingest(receipt(d1))).toMatchObject({ applied: 1 });
    expect(gated.lookups).toEqual([[`r-${d1.id}`]]);

    // Busy: the first batch is held; two newcomers wait for it, then go together.
    gated.lookups.length = 0;
    gated.hold();
    const first = h.crm.receipts.ingest({ ...receipt(d1), id: 'again' });
    const second = h.crm.receipts.ingest(receipt(d2));
    const third = h.crm.receipts.ingest(receipt(d3));
    await new Promise((resolve) => setImmediate(resolve));
    expect(gated.lookups).toEqual([['again']]);
    gated.release();
    expect(await first).toMatchObject({ stale: 1 });
    expect(await second).toMatchObject({ applied: 1 });
    expect(await third).toMatchObject({ applied: 1 });
    expect(gated.lookups).toEqual([['again'], [`r-${d2.id}`, `r-${d3.id}`]]);
  });
});
