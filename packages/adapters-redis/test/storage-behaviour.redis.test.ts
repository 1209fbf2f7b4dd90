import type { Campaign, Customer, Delivery, DeliveryTransition, Segment } from '@minicrm/core';
import { deliveryId } from '@minicrm/core';
import {
  at,
  campaign,
  customerEvent,
  customerUpsert,
  DAY,
  delivery,
  order,
  segment,
  spendOver,
  testCatalog,
} from '@minicrm/core/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisStorage, type RedisStorage } from '../src/index.js';
import { deleteKeys, freshPrefix } from './support/keys.js';

const url = inject('redisUrl');

/** A stored record's JSON (after the `<rev>|` prefix), parsed without the adapter's decoder. */
function decodeRaw(raw: string | null): Record<string, unknown> | null {
  return raw === null ? null : (JSON.parse(raw.slice(raw.indexOf('|') + 1)) as Record<string, unknown>);
}

describe.skipIf(url === '')('redis storage: Redis-specific behaviour', () => {
  let client: Redis;
  let other: Redis;
  let raw: Redis;
  const prefixes: string[] = [];
  const open: RedisStorage[] = [];
  beforeAll(() => {
    client = new Redis(url);
    other = new Redis(url);
    raw = new Redis(url);
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    for (const p of prefixes.splice(0)) await deleteKeys(raw, p);
  });
  afterAll(async () => {
    await Promise.all([client.quit(), other.quit(), raw.quit()]);
  });

  /** Two storages on the same prefix, each with its own connection (as two processes would be). */
  function twoStorages(): [RedisStorage, RedisStorage, string] {
    const prefix = freshPrefix('beh');
    prefixes.push(prefix);
    const a = createRedisStorage({ client, prefix });
    const b = createRedisStorage({ client: other, prefix });
    open.push(a, b);
    return [a, b, prefix];
  }

  it('concurrent transitions of the same deliveries from two instances apply exactly once', async () => {
    const [a, b] = twoStorages();
    const ids = Array.from({ length: 300 }, (_, i) => deliveryId('k1', `c${String(i).padStart(3, '0')}`));
    await a.deliveries.createMany(ids.map((id) => delivery(id, 'k1')));
    const step = (from: Delivery['status'], to: Delivery['status'], attempts?: number) =>
      ids.map(
        (id): DeliveryTransition => ({
          id,
          from: [from],
          to,
          at: at(1),
          ...(attempts === undefined ? {} : { set: { attempts } }),
        }),
      );
    for (const [from, to, attempts] of [
      ['pending', 'queued', undefined],
      ['queued', 'sending', 1],
      ['sending', 'sent', undefined],
    ] as const) {
      // Both instances race on every delivery, several calls each, interleaved.
      const calls = [a, b, a, b].map((s) => s.deliveries.transitionMany(step(from, to, attempts)));
      const results = await Promise.all(calls);
      for (let k = 0; k < ids.length; k++) {
        const winners = results.filter((r) => r[k] !== null).length;
        expect(winners, `${ids[k]} ${from} → ${to}`).toBe(1);
      }
    }
    const counts = await b.deliveries.counts('k1');
    expect(counts.total).toBe(300);
    expect(counts.byStatus).toMatchObject({ pending: 0, queued: 0, sending: 0, sent: 300 });
    expect(counts.attempts).toBe(300);
    const stored = await a.deliveries.getMany(ids);
    expect(stored.every((d) => d?.status === 'sent' && d.totalAttempts === 1)).toBe(true);
  });

  it('a call that moves one delivery twice never builds on a write that lost a race', async () => {
    const [a, b] = twoStorages();
    const [d1, d2] = [deliveryId('k2', 'c1'), deliveryId('k2', 'c2')];
    await a.deliveries.createMany([delivery(d1, 'k2'), delivery(d2, 'k2')]);
    await a.deliveries.getMany([d1, d2]); // a now remembers both at their first revision
    // Behind a's back, b cancels d1: a's remembered revision of it is stale.
    await b.deliveries.transitionMany([{ id: d1, from: ['pending'], to: 'cancelled', at: at(1) }]);
    const step = (id: string, from: Delivery['status'], to: Delivery['status']): DeliveryTransition => ({
      id,
      from: [from],
      to,
      at: at(2),
      ...(to === 'sending' ? { set: { attempts: 1 } } : {}),
    });
    // The second step of d1 is planned from the first one's result. The first one loses to b's
    // cancel, and the second one's compare-and-set would see the revision it expects (b's write).
    // It must fail with the first and be re-planned, not write `sending` over `cancelled`.
    const results = await a.deliveries.transitionMany([
      step(d1, 'pending', 'queued'),
      step(d1, 'queued', 'sending'),
      step(d2, 'pending', 'queued'),
      step(d2, 'queued', 'sending'),
    ]);
    expect(results.map((d) => d?.status ?? null)).toEqual([null, null, 'queued', 'sending']);
    const [s1, s2] = await b.deliveries.getMany([d1, d2]);
    expect([s1?.status, s2?.status]).toEqual(['cancelled', 'sending']);
    const counts = await b.deliveries.counts('k2');
    expect(counts.byStatus).toMatchObject({ pending: 0, queued: 0, cancelled: 1, sending: 1 });
    expect(counts.attempts).toBe(1);
  });

  it('counters stay exact when one call moves them in more distinct ways than one script names', async () => {
    const [a] = twoStorages();
    // 250 deliveries created with 0..249 attempts already made: 250 distinct counter deltas.
    const ids = Array.from({ length: 250 }, (_, i) => deliveryId('k3', `c${String(i).padStart(3, '0')}`));
    const created = await a.deliveries.createMany(
      ids.map((id, i) => delivery(id, 'k3', { status: 'queued', attempts: i, totalAttempts: i })),
    );
    expect(created).toHaveLength(250);
    const sum = (n: number) => (n * (n - 1)) / 2;
    let counts = await a.deliveries.counts('k3');
    expect(counts).toMatchObject({ total: 250, attempts: sum(250) });
    expect(counts.byStatus.queued).toBe(250);
    // Each claim adds a different number of attempts (1..250): 250 distinct deltas again.
    const moved = await a.deliveries.transitionMany(
      ids.map((id, i) => ({ id, from: ['queued'], to: 'sending', at: at(1), set: { attempts: 2 * i + 1 } })),
    );
    expect(moved.every((d) => d?.status === 'sending')).toBe(true);
    counts = await a.deliveries.counts('k3');
    expect(counts).toMatchObject({ total: 250, attempts: sum(250) + (sum(250) + 250) });
    expect(counts.byStatus).toMatchObject({ queued: 0, sending: 250 });
  });

  it('concurrent order and visit appends for one customer keep aggregates exact', async () => {
    const [a, b] = twoStorages();
    await a.customers.upsertMany([customerUpsert('c1')], at());
    const orders = Array.from({ length: 600 }, (_, i) => order(`o${i}`, 'c1', (i % 7) + 1, at(i)));
    const visits = Array.from({ length: 200 }, (_, i) => customerEvent(`v${i}`, 'c1', at(i * 1000)));
    // Overlapping batches: every order is sent by both instances, in different groupings.
    const calls: Promise<unknown>[] = [];
    for (let s = 0; s < orders.length; s += 50) {
      calls.push(a.activity.appendOrders(orders.slice(s, s + 50), at(DAY)));
      calls.push(b.activity.appendOrders(orders.slice(s + 25, s + 75), at(DAY)));
      calls.push(b.activity.appendEvents(visits.slice(s / 3, s / 3 + 20), at(DAY)));
      calls.push(a.activity.appendEvents(visits.slice(s / 3 + 10, s / 3 + 30), at(DAY)));
    }
    await Promise.all(calls);
    const c1 = await b.customers.get('c1');
    const spend = orders.reduce((n, o) => n + o.amountMinor, 0);
    expect(c1).toMatchObject({ totalSpendMinor: spend, orderCount: 600, visits: 200 });
    expect(c1?.lastVisitAt?.getTime()).toBe(at(199_000).getTime());
    expect(c1?.firstOrderAt?.getTime()).toBe(at(0).getTime());
    expect(c1?.lastOrderAt?.getTime()).toBe(at(599).getTime());
    const again = await a.activity.appendOrders(orders.slice(0, 10), at(DAY));
    expect(again.duplicates).toHaveLength(10);
  });

  it('Dates round-trip exactly, in every record kind', async () => {
    const [s] = twoStorages();
    const odd = new Date(-12_345_678_901_234); // before 1970, with milliseconds
    const ms = new Date(Date.UTC(2026, 4, 6, 7, 8, 9, 123));
    await s.customers.upsertMany(
      [
        customerUpsert('c1', {
          attributes: { birthday: odd, tags: ['a'], score: 3, vip: true, note: 'x' },
          baseline: {
            spendMinor: 5,
            orderCount: 1,
            visits: 2,
            firstOrderAt: odd,
            lastOrderAt: ms,
            lastVisitAt: ms,
          },
          createdAt: odd,
        }),
      ],
      ms,
    );
    const c1 = (await s.customers.get('c1')) as Customer;
    expect(c1.attributes.birthday).toBeInstanceOf(Date);
    expect((c1.attributes.birthday as Date).getTime()).toBe(odd.getTime());
    expect(c1?.attributes).toMatchObject({ tags: ['a'], score: 3, vip: true, note: 'x' });
    expect(c1?.baseline.firstOrderAt?.getTime()).toBe(odd.getTime());
    expect(c1?.createdAt.getTime()).toBe(odd.getTime());
    expect(c1?.updatedAt.getTime()).toBe(ms.getTime());
    expect(c1?.lastVisitAt).toBeInstanceOf(Date);
    expect('email' in (c1 ?? {}) && c1?.email === undefined).toBe(false);

    const d = delivery('k1~c1', 'k1', { nextAttemptAt: ms, queuedAt: odd, openedAt: ms, updatedAt: ms });
    await s.deliveries.createMany([d]);
    const got = (await s.deliveries.get('k1~c1')) as Delivery;
    for (const f of ['nextAttemptAt', 'queuedAt', 'openedAt', 'updatedAt', 'createdAt'] as const) {
      expect(got[f], f).toBeInstanceOf(Date);
      expect(got[f]?.getTime(), f).toBe((d[f] as Date).getTime());
    }
    const defined = (o: object) =>
      Object.entries(o)
        .filter(([, v]) => v !== undefined)
        .map(([k]) => k)
        .sort();
    expect(defined(got)).toEqual(defined(d));

    const rules: Campaign['rules'] = {
      combinator: 'and',
      rules: [{ field: 'lastOrderAt', operator: 'before', value: ms }],
    };
    await s.campaigns.create(campaign('k1', { sendAt: ms, createdAt: odd, rules }));
    const k1 = (await s.campaigns.get('k1')) as Campaign;
    expect(k1.sendAt?.getTime()).toBe(ms.getTime());
    expect(k1.createdAt.getTime()).toBe(odd.getTime());
    const value = (k1.rules.rules[0] as { value: unknown }).value;
    expect(value).toBeInstanceOf(Date);
    expect((value as Date).getTime()).toBe(ms.getTime());
    await s.segments.create(segment('s1', { rules, updatedAt: ms }));
    const s1 = (await s.segments.get('s1')) as Segment;
    expect(s1.updatedAt.getTime()).toBe(ms.getTime());
    expect(((s1.rules.rules[0] as { value: unknown }).value as Date).getTime()).toBe(ms.getTime());

    await s.activity.appendOrders([order('o-old', 'c1', 1, odd), order('o-new', 'c1', 1, ms)], ms);
    const listed = await s.activity.listOrders('c1', { limit: 5 });
    expect(listed.items.map((o) => [o.id, o.createdAt.getTime()])).toEqual([
      ['o-new', ms.getTime()],
      ['o-old', odd.getTime()],
    ]);
  });

  it('never closes a client it was given; closes one it created', async () => {
    const given = new Redis(url);
    const prefix = freshPrefix('own');
    prefixes.push(prefix);
    const borrowed = createRedisStorage({ client: given, prefix });
    await borrowed.receipts.recordMany(['r1']);
    await borrowed.close();
    expect(given.status).toBe('ready');
    expect(await given.ping()).toBe('PONG');
    const owning = createRedisStorage({ connection: url, prefix });
    expect([...(await owning.receipts.seen(['r1']))]).toEqual(['r1']);
    await owning.close();
    await owning.close();
    await given.quit();
  });

  it('recovers when the server forgot its scripts (SCRIPT FLUSH, restart)', async () => {
    const [s] = twoStorages();
    await s.deliveries.createMany([delivery('k1~a', 'k1')]);
    await raw.script('FLUSH');
    const [moved] = await s.deliveries.transitionMany([
      { id: 'k1~a', from: ['pending'], to: 'queued', at: at(1) },
    ]);
    expect(moved?.status).toBe('queued');
  });

  it('keeps every key under the prefix, in its area hash tag; scripts and MGETs stay in one slot', async () => {
    const [s, , prefix] = twoStorages();
    const monitor = await raw.monitor();
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((a) => a.includes(prefix))) commands.push(args);
    });
    await s.customers.upsertMany([customerUpsert('c1'), customerUpsert('c2')], at());
    await s.activity.appendOrders([order('o1', 'c1', 5)], at());
    await s.activity.appendEvents([customerEvent('e1', 'c2')], at());
    await s.segments.create(segment('s1'));
    await s.campaigns.create(campaign('camp-1'));
    await s.campaigns.update(campaign('camp-1', { state: 'running', version: 2 }), 1);
    const ids = ['c1', 'c2'].map((c) => deliveryId('camp-1', c));
    await s.deliveries.createMany(ids.map((id) => delivery(id, 'camp-1', { status: 'sending' })));
    await s.deliveries.transitionMany(
      ids.map((id, i) => ({
        id,
        from: ['sending'],
        to: 'sent',
        at: at(1),
        set: { vendorMessageId: `v${i}` },
      })),
    );
    await s.deliveries.findByVendorMessageIds(['v0', 'v1']);
    await s.deliveries.list('camp-1', { limit: 10, statuses: ['sent'] });
    await s.receipts.recordMany(['r1']);
    await s.customers.count?.({ rules: spendOver(0), now: at(), catalog: testCatalog() });
    await monitor.disconnect();

    const all = await raw.keys(`*${prefix}*`);
    expect(all.length).toBeGreaterThan(10);
    const areas = new Set<string>();
    for (const key of all) {
      const match = /^\{([^}]+)\}:/.exec(key);
      expect(match, key).not.toBeNull();
      const tag = (match as RegExpExecArray)[1] as string;
      expect(tag.startsWith(`${prefix}:`), key).toBe(true);
      areas.add(tag.slice(prefix.length + 1));
    }
    expect([...areas].sort()).toEqual(['camp', 'cmp:camp-1', 'cust', 'rcpt', 'seg', 'vnd']);
    const tagOf = (key: string) => /^\{([^}]+)\}/.exec(key)?.[1] ?? key;
    const multiKey = commands.filter((c) => /^(evalsha|eval|mget)$/i.test(c[0] as string));
    expect(multiKey.length).toBeGreaterThan(5);
    for (const c of multiKey) {
      const name = (c[0] as string).toLowerCase();
      const keys = name === 'mget' ? c.slice(1) : c.slice(3, 3 + Number(c[2]));
      expect(new Set(keys.map(tagOf)).size, c.slice(0, 6).join(' ')).toBe(1);
    }
    // Stored records are versioned JSON.
    expect(decodeRaw(await raw.get(`{${prefix}:cmp:camp-1}:d:${ids[0]}`))).toMatchObject({ status: 'sent' });
    expect(await raw.hgetall(`{${prefix}:cmp:camp-1}:n`)).toMatchObject({ total: '2', sent: '2' });
  });
});
