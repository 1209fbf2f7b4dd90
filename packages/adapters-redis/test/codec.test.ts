import type { Delivery } from '@minicrm/core';
import { DELIVERY_STATUSES } from '@minicrm/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDelivery, encodeDeliveryBody, encodeDeliveryState } from '../src/storage/codec.js';

const date = fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true });
const text = fc.string({ unit: 'binary' });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const delivery: fc.Arbitrary<Delivery> = fc.record({
  id: text,
  campaignId: text,
  customerId: text,
  channel: text,
  address: maybe(text),
  message: text,
  status: fc.constantFrom(...DELIVERY_STATUSES),
  round: fc.nat(),
  attempts: fc.nat(),
  totalAttempts: fc.nat(),
  vendorMessageId: maybe(text),
  lastError: maybe(
    fc.record(
      { message: text, code: maybe(text), retryable: fc.boolean() },
      { requiredKeys: ['message', 'retryable'] },
    ),
  ),
  skipReason: maybe(fc.constantFrom('no_address', 'unsubscribed')),
  nextAttemptAt: maybe(date),
  createdAt: date,
  updatedAt: date,
  queuedAt: maybe(date),
  sendingAt: maybe(date),
  sentAt: maybe(date),
  deliveredAt: maybe(date),
  retryingAt: maybe(date),
  failedAt: maybe(date),
  skippedAt: maybe(date),
  cancelledAt: maybe(date),
  openedAt: maybe(date),
  clickedAt: maybe(date),
}) as fc.Arbitrary<Delivery>;

describe('delivery codec', () => {
  it('decodes what it encodes (body + state), for any delivery', () => {
    fc.assert(
      fc.property(delivery, (d) => {
        const back = decodeDelivery(d.id, encodeDeliveryBody(d), encodeDeliveryState(d));
        expect(back).toEqual(d);
        expect(Object.keys(back)).toEqual(Object.keys(d));
      }),
      { numRuns: 500 },
    );
  });
});
