import { describe, expect, it } from 'vitest';
import { createSimulatorChannel, resolveRecipient } from '../src/channel/index.js';
import { type Customer, EMPTY_AGGREGATES } from '../src/domain/customer.js';

const customer = (patch: Partial<Customer> = {}): Customer => ({
  id: 'c1',
  name: 'Ada',
  attributes: {},
  subscriptions: {},
  totalSpend: 0,
  totalSpendMinor: 0,
  orderCount: 0,
  visits: 0,
  baseline: EMPTY_AGGREGATES,
  activity: EMPTY_AGGREGATES,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...patch,
});

describe('resolveRecipient', () => {
  const sms = createSimulatorChannel({ name: 'sms' });
  const email = createSimulatorChannel({ name: 'email' });
  const push = createSimulatorChannel({ name: 'push' });

  it('uses phone for sms and email for email', () => {
    const c = customer({ phone: '+15550100', email: 'ada@example.com' });
    expect(resolveRecipient(sms, c)).toEqual({ ok: true, address: '+15550100' });
    expect(resolveRecipient(email, c)).toEqual({ ok: true, address: 'ada@example.com' });
  });

  it('reports no_address for a missing or blank address and for unknown channels', () => {
    expect(resolveRecipient(sms, customer({ email: 'a@b.c' }))).toEqual({ ok: false, reason: 'no_address' });
    expect(resolveRecipient(email, customer({ email: ' ' }))).toEqual({ ok: false, reason: 'no_address' });
    expect(resolveRecipient(push, customer({ phone: '+1' }))).toEqual({ ok: false, reason: 'no_address' });
  });

  it('puts consent first: subscriptions[channel] === false is unsubscribed', () => {
    const c = customer({ phone: '+15550100', subscriptions: { sms: false, email: true } });
    expect(resolveRecipient(sms, c)).toEqual({ ok: false, reason: 'unsubscribed' });
    expect(resolveRecipient(sms, customer({ subscriptions: { sms: false } }))).toEqual({
      ok: false,
      reason: 'unsubscribed',
    });
    expect(resolveRecipient(email, customer({ email: 'a@b.c', subscriptions: { sms: false } })).ok).toBe(
      true,
    );
  });

  it("uses the channel's own address function when defined", () => {
    const custom = createSimulatorChannel({
      name: 'push',
      address: (c) => (typeof c.attributes.token === 'string' ? c.attributes.token : null),
    });
    expect(resolveRecipient(custom, customer({ attributes: { token: 'tok_1' } }))).toEqual({
      ok: true,
      address: 'tok_1',
    });
    expect(resolveRecipient(custom, customer())).toEqual({ ok: false, reason: 'no_address' });
    expect(
      resolveRecipient(custom, customer({ attributes: { token: 't' }, subscriptions: { push: false } })),
    ).toEqual({ ok: false, reason: 'unsubscribed' });
  });
});
