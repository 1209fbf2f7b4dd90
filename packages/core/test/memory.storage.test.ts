import { describe, expect, it } from 'vitest';
import type { Delivery } from '../src/index.js';
import { createMemoryStorage, deliveryId, guardAdapter, memoryStorageBackdoor } from '../src/index.js';
import { at, customerUpsert, delivery } from '../src/testing/index.js';

describe('memory storage: stored records are immutable', () => {
  it('customers are frozen, deeply, and detached from the caller’s input', async () => {
    const storage = createMemoryStorage();
    const tags = ['vip'];
    const attributes: Record<string, string | string[]> = { city: 'Paris', tags };
    await storage.customers.upsertMany([customerUpsert('c1', { attributes })], at());
    attributes.city = 'Lyon';
    tags.push('changed');
    const c1 = (await storage.customers.get('c1'))!;
    expect(c1.attributes).toEqual({ city: 'Paris', tags: ['vip'] });
    expect(Object.isFrozen(c1)).toBe(true);
    expect(Object.isFrozen(c1.attributes)).toBe(true);
    expect(Object.isFrozen(c1.attributes.tags)).toBe(true);
    expect(Object.isFrozen(c1.baseline) && Object.isFrozen(c1.activity)).toBe(true);
    expect(() => {
      (c1 as { name: string }).name = 'hacked';
    }).toThrow(TypeError);
    expect((await memoryStorageBackdoor(storage).customer('c1'))?.name).toBe('Customer c1');
  });

  it('reads return the stored object itself (no copy per read)', async () => {
    const storage = createMemoryStorage();
    await storage.deliveries.createMany([delivery('d1', 'k1')]);
    const [a] = await storage.deliveries.getMany(['d1']);
    expect(a).toBe(await storage.deliveries.get('d1'));
    expect(a).toBe(await memoryStorageBackdoor(storage).delivery('d1'));
  });

  it('deliveries, their errors and counters are frozen; createMany adopts (freezes) its input', async () => {
    const storage = createMemoryStorage();
    const input = delivery('d1', 'k1', { status: 'sending', attempts: 1, totalAttempts: 1 });
    await storage.deliveries.createMany([input]);
    expect(await storage.deliveries.get('d1')).toBe(input);
    expect(() => {
      (input as { message: string }).message = 'changed after create';
    }).toThrow(TypeError);
    const lastError = { message: 'boom', retryable: true };
    const [after] = await storage.deliveries.transitionMany([
      { id: 'd1', from: ['sending'], to: 'retrying', at: at(1), set: { lastError } },
    ]);
    lastError.message = 'changed';
    const stored = (await storage.deliveries.get('d1')) as Delivery;
    expect(stored).toBe(after);
    expect(stored.message).toBe('Hello d1');
    expect(stored.lastError?.message).toBe('boom');
    expect(Object.isFrozen(stored) && Object.isFrozen(stored.lastError)).toBe(true);
    const counts = await storage.deliveries.counts('k1');
    expect(Object.isFrozen(counts) && Object.isFrozen(counts.byStatus)).toBe(true);
    expect(Object.isFrozen(await storage.deliveries.counts('none'))).toBe(true);
  });

  it('segments and campaigns are deeply frozen copies', async () => {
    const storage = createMemoryStorage();
    const rules = {
      combinator: 'and' as const,
      rules: [{ field: 'visits', operator: '>' as const, value: 1 }],
    };
    await storage.segments.create({
      id: 's1',
      name: 's',
      rules,
      version: 1,
      createdAt: at(),
      updatedAt: at(),
    });
    (rules.rules[0] as { value: number }).value = 99;
    const s1 = (await storage.segments.get('s1'))!;
    expect(s1.rules.rules[0]).toMatchObject({ value: 1 });
    expect(Object.isFrozen(s1.rules.rules)).toBe(true);
  });

  it('works behind the engine’s adapter guard (a Proxy over the storage object)', async () => {
    const storage = guardAdapter('storage', createMemoryStorage());
    await storage.customers.upsertMany([customerUpsert('c1')], at());
    expect(await storage.customers.size()).toBe(1);
  });

  it('the back door refuses storages it did not make', () => {
    expect(() => memoryStorageBackdoor({ ...createMemoryStorage() })).toThrow(TypeError);
  });
});

describe('memory storage: volume', () => {
  it('creates, reads, transitions and counts 100,000 deliveries with exact counters', async () => {
    const storage = createMemoryStorage();
    const n = 100_000;
    const ids = Array.from({ length: n }, (_, i) => deliveryId('k1', `c${i}`));
    for (let i = 0; i < n; i += 500) {
      await storage.deliveries.createMany(ids.slice(i, i + 500).map((id) => delivery(id, 'k1')));
    }
    for (let i = 0; i < n; i += 500) {
      const batch = ids.slice(i, i + 500);
      await storage.deliveries.getMany(batch);
      await storage.deliveries.transitionMany(
        batch.map((id) => ({ id, from: ['pending'], to: 'queued', at: at(1) }) as const),
      );
      await storage.deliveries.transitionMany(
        batch.map(
          (id) => ({ id, from: ['queued'], to: 'sending', at: at(2), set: { attempts: 1 } }) as const,
        ),
      );
      await storage.deliveries.transitionMany(
        batch.map(
          (id) =>
            ({ id, from: ['sending'], to: 'sent', at: at(3), set: { vendorMessageId: `v-${id}` } }) as const,
        ),
      );
      await storage.deliveries.counts('k1');
    }
    const page = await storage.deliveries.list('k1', { limit: 1000, statuses: ['sent'] });
    expect(page.items).toHaveLength(1000);
    expect((await storage.deliveries.counts('k1')).byStatus.sent).toBe(n);
  });
});
