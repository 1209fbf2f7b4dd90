/**
 * Bad cursors and id lengths on the facade: every listing refuses a cursor it did not issue with a
 * `ValidationError` at `['cursor']` (never the first page), and one id limit, `MAX_ID_LENGTH`, holds
 * for customers, orders, events, segments and campaigns alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createMiniCrm,
  ENTITY_ID_PATTERN,
  encodeCursor,
  MAX_ID_LENGTH,
  type MiniCrm,
  type Page,
  ValidationError,
} from '../src/index.js';
import { pairs, rejection } from './support/problems.js';

const RULES = { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] };

let crm: MiniCrm;

beforeEach(async () => {
  crm = createMiniCrm();
  await crm.customers.upsert([
    { id: 'c1', name: 'Ada', phone: '+15550100001' },
    { id: 'c2', name: 'Alan', phone: '+15550100002' },
  ]);
  await crm.customers.addOrders([
    { id: 'o1', customerId: 'c1', amount: '1', createdAt: '2026-01-01' },
    { id: 'o2', customerId: 'c1', amount: '2', createdAt: '2026-01-02' },
  ]);
  await crm.customers.addEvents([
    { id: 'e1', customerId: 'c1', type: 'visit', at: '2026-01-01' },
    { id: 'e2', customerId: 'c1', type: 'visit', at: '2026-01-02' },
  ]);
  await crm.segments.create({ name: 'A', rules: RULES });
  await crm.segments.create({ name: 'B', rules: RULES });
  await crm.campaigns.create({ id: 'k1', name: 'One', rules: RULES, channel: 'sms', template: 'Hi' });
  await crm.campaigns.create({ id: 'k2', name: 'Two', rules: RULES, channel: 'sms', template: 'Hi' });
});

afterEach(() => crm.close());

type List = (options: { limit?: number; cursor?: string }) => Promise<Page<unknown>>;

function listings(): [string, List][] {
  return [
    ['customers.list', (o) => crm.customers.list(o)],
    ['customers.orders', (o) => crm.customers.orders('c1', o)],
    ['customers.events', (o) => crm.customers.events('c1', o)],
    ['segments.list', (o) => crm.segments.list(o)],
    ['campaigns.list', (o) => crm.campaigns.list(o)],
  ];
}

describe('cursors', () => {
  it.each([
    ['garbage', 'garbage'],
    ['an operator object', encodeCursor({ $gt: '' })],
    ['an empty string', ''],
  ])('every listing refuses %s at ["cursor"]', async (_what, cursor) => {
    for (const [name, list] of listings()) {
      const error = await rejection(list({ limit: 1, cursor }), ValidationError, 'VALIDATION_FAILED');
      expect(pairs(error.problems), name).toEqual([['cursor', 'invalid_cursor']]);
    }
  });

  it("newest-first listings refuse an ascending-id listing's cursor, and each pages on with its own", async () => {
    const idCursor = (await crm.customers.list({ limit: 1 })).nextCursor as string;
    expect(idCursor).toEqual(expect.any(String));
    for (const [name, list] of listings()) {
      const first = await list({ limit: 1 });
      const second = await list({ limit: 1, cursor: first.nextCursor as string });
      expect(second.items, name).toHaveLength(1);
      expect(second.items[0], name).not.toEqual(first.items[0]);
    }
    for (const list of [
      (o: { cursor: string }) => crm.customers.orders('c1', o),
      (o: { cursor: string }) => crm.customers.events('c1', o),
      (o: { cursor: string }) => crm.campaigns.list(o),
    ]) {
      await rejection(list({ cursor: idCursor }), ValidationError, 'VALIDATION_FAILED');
    }
  });

  it('the delivery log refuses a foreign cursor and takes its own', async () => {
    await crm.campaigns.launch('k1');
    const first = await crm.campaigns.deliveries('k1', { limit: 1 });
    expect(first.nextCursor).not.toBeNull();
    expect(
      (await crm.campaigns.deliveries('k1', { limit: 1, cursor: first.nextCursor as string })).items,
    ).toHaveLength(1);
    const error = await rejection(
      crm.campaigns.deliveries('k1', { cursor: encodeCursor([0, 'k1~c1']) }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual([['cursor', 'invalid_cursor']]);
  });
});

describe('one id limit', () => {
  const longest = 'x'.repeat(MAX_ID_LENGTH);
  const tooLong = 'x'.repeat(MAX_ID_LENGTH + 1);

  it('is 256 characters, and segment and campaign ids keep their characters', () => {
    expect(MAX_ID_LENGTH).toBe(256);
    expect(ENTITY_ID_PATTERN.test('cmp_1.a:b-c')).toBe(true);
    expect(ENTITY_ID_PATTERN.test('a~b')).toBe(false);
  });

  it('customers, orders and events take ids of up to MAX_ID_LENGTH, and no longer', async () => {
    await crm.customers.upsert({ id: longest, name: 'Long' });
    expect((await crm.customers.get(longest))?.id).toBe(longest);
    await crm.customers.addOrders({ id: longest, customerId: longest, amount: '1', createdAt: '2026-01-01' });
    await crm.customers.addEvents({ id: longest, customerId: longest, type: 'visit', at: '2026-01-01' });
    expect((await crm.customers.orders(longest)).items.map((o) => o.id)).toEqual([longest]);
    expect((await crm.customers.events(longest)).items.map((e) => e.id)).toEqual([longest]);

    const error = await rejection(
      crm.customers.upsert({ id: tooLong, name: 'Too long' }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual([['id', 'too_big']]);
    expect(await crm.customers.get(tooLong)).toBeNull();
  });

  it('segments and campaigns take ids of up to MAX_ID_LENGTH, and no longer', async () => {
    const segment = await crm.segments.create({ id: longest, name: 'Long', rules: RULES });
    expect((await crm.segments.get(segment.id))?.id).toBe(longest);
    const campaign = await crm.campaigns.create({
      id: longest,
      name: 'Long',
      segmentId: longest,
      channel: 'sms',
      template: 'Hi',
    });
    expect((await crm.campaigns.launch(campaign.id)).id).toBe(longest);
    expect((await crm.campaigns.deliveries(longest)).items.map((d) => d.id).sort()).toEqual([
      `${longest}~c1`,
      `${longest}~c2`,
    ]);

    for (const create of [
      () => crm.segments.create({ id: tooLong, name: 'Too long', rules: RULES }),
      () =>
        crm.campaigns.create({ id: tooLong, name: 'Too long', rules: RULES, channel: 'sms', template: 'Hi' }),
    ]) {
      const error = await rejection(create, ValidationError, 'VALIDATION_FAILED');
      expect(pairs(error.problems).map(([path]) => path)).toEqual(['id']);
    }
    expect(await crm.segments.get(tooLong)).toBeNull();
    expect(await crm.campaigns.get(tooLong)).toBeNull();
  });
});
