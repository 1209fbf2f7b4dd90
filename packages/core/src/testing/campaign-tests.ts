import { describe, expect, it } from 'vitest';
import type { CampaignState } from '../domain/campaign.js';
import { at, campaign, DAY } from './fixtures.js';
import { drain, expectRaw, idsOf, useStorage } from './harness.js';
import type { StorageConformanceOptions } from './options.js';

/** Campaign store checks: create conflict, optimistic updates, listing newest first, listByState. */
export function campaignStoreTests(options: StorageConformanceOptions): void {
  describe.skipIf(options.skip?.campaigns === true)(`${options.name ?? 'storage'}: campaigns`, () => {
    const h = useStorage(options);

    it('create stores a campaign; creating the same id again is a conflict', async () => {
      const launch = {
        round: 1,
        cursor: null,
        processed: 0,
        scheduled: 0,
        done: false,
        leaseUntil: 5,
        owner: 'w1',
      };
      await h.storage.campaigns.create(
        campaign('k1', { sendAt: at(DAY), throttlePerSecond: 10, retry: { maxAttempts: 2 }, launch }),
      );
      const k1 = await h.storage.campaigns.get('k1');
      expect(k1).toMatchObject({ id: 'k1', name: 'Campaign k1', state: 'draft', version: 1, channel: 'sms' });
      expect(k1).toMatchObject({ throttlePerSecond: 10, retry: { maxAttempts: 2 }, launch });
      expect(k1?.sendAt?.getTime()).toBe(at(DAY).getTime());
      await expectRaw(h, 'campaign', 'k1', { id: 'k1', state: 'draft', version: 1 });
      await expect(h.storage.campaigns.create(campaign('k1', { name: 'dup' }))).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect((await h.storage.campaigns.get('k1'))?.name).toBe('Campaign k1');
      expect(await h.storage.campaigns.get('nope')).toBeNull();
      await expectRaw(h, 'campaign', 'nope', null);
    });

    it('update applies on the expected version only; a stale one is a conflict; an absent one is not found', async () => {
      await h.storage.campaigns.create(campaign('k1'));
      await h.storage.campaigns.update(
        campaign('k1', { state: 'running', version: 2, launchedAt: at(5) }),
        1,
      );
      expect(await h.storage.campaigns.get('k1')).toMatchObject({ state: 'running', version: 2 });
      await expectRaw(h, 'campaign', 'k1', { state: 'running', version: 2 });
      await expect(
        h.storage.campaigns.update(campaign('k1', { state: 'cancelled', version: 2 }), 1),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      await expectRaw(h, 'campaign', 'k1', { state: 'running', version: 2 });
      await h.storage.campaigns.update(campaign('k1', { state: 'paused', version: 3 }), 2);
      expect(await h.storage.campaigns.get('k1')).toMatchObject({ state: 'paused', version: 3 });
      await expect(h.storage.campaigns.update(campaign('ghost', { version: 2 }), 1)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await h.storage.campaigns.get('ghost')).toBeNull();
    });

    it('list is newest first, paginated, optionally filtered by state', async () => {
      // Created out of order: the id says the day of createdAt.
      const days = [3, 0, 5, 1, 4, 2];
      const states: CampaignState[] = ['running', 'draft', 'running', 'running', 'draft', 'completed'];
      for (const [i, day] of days.entries()) {
        await h.storage.campaigns.create(
          campaign(`d${day}`, { state: states[i] as CampaignState, createdAt: at(day * DAY) }),
        );
      }
      const all = await drain((o) => h.storage.campaigns.list(o), 4);
      expect(idsOf(all.items)).toEqual(['d5', 'd4', 'd3', 'd2', 'd1', 'd0']);
      expect(all.pages).toBe(2);
      const running = await drain((o) => h.storage.campaigns.list({ ...o, states: ['running'] }), 2);
      expect(idsOf(running.items)).toEqual(['d5', 'd3', 'd1']);
      expect(running.pages).toBe(2);
      const some = await drain((o) => h.storage.campaigns.list({ ...o, states: ['draft', 'completed'] }), 10);
      expect(idsOf(some.items)).toEqual(['d4', 'd2', 'd0']);
    });

    it('listByState returns campaigns in those states, at most limit', async () => {
      const states: CampaignState[] = [
        'scheduled',
        'running',
        'scheduled',
        'paused',
        'completed',
        'scheduled',
      ];
      for (const [i, state] of states.entries())
        await h.storage.campaigns.create(campaign(`k${i}`, { state }));
      const scheduled = await h.storage.campaigns.listByState(['scheduled'], 10);
      expect(idsOf(scheduled).sort()).toEqual(['k0', 'k2', 'k5']);
      const open = await h.storage.campaigns.listByState(['running', 'paused'], 10);
      expect(idsOf(open).sort()).toEqual(['k1', 'k3']);
      const limited = await h.storage.campaigns.listByState(['scheduled'], 2);
      expect(limited).toHaveLength(2);
      for (const c of limited) expect(c.state).toBe('scheduled');
      expect(await h.storage.campaigns.listByState(['failed'], 10)).toEqual([]);
    });
  });
}
