/** Customer, order and event schemas. */
import { z } from 'zod';
import { jsonObject, problemSchema, validatedByCore } from './common.js';

const attributeValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.date(),
  z.array(z.string()).readonly(),
]);

/** A customer as the API returns it. */
export const customerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().optional(),
    phone: z.string().optional().describe('E.164'),
    attributes: z.record(z.string(), attributeValue),
    subscriptions: z.record(z.string(), z.boolean()).describe('Consent per channel; absent = subscribed'),
    totalSpend: z.number().describe('Major units of the store currency'),
    totalSpendMinor: z.number().int(),
    orderCount: z.number().int(),
    visits: z.number().int(),
    firstOrderAt: z.date().optional(),
    lastOrderAt: z.date().optional(),
    lastVisitAt: z.date().optional(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Customer' });

const dateInput = z.string().describe('ISO 8601 date or date-time (UTC when no offset)');
const amount = z.union([z.string(), z.number()]).describe('Decimal amount, e.g. "12.50"');

const customerInputDoc = z.strictObject({
  id: z.string().describe('Your id for the customer'),
  name: z.string(),
  email: z.string().optional(),
  phone: z.string().optional().describe('E.164, e.g. +15550100001'),
  attributes: jsonObject.optional().describe('Custom fields declared in the field catalog'),
  subscriptions: z.record(z.string(), z.boolean()).optional(),
  totalSpend: amount.optional().describe('Baseline carried over from another system'),
  orderCount: z.number().int().optional(),
  visits: z.number().int().optional(),
  firstOrderAt: dateInput.optional(),
  lastOrderAt: dateInput.optional(),
  lastVisitAt: dateInput.optional(),
  createdAt: dateInput.optional(),
});

/** One customer to upsert (validated by core). */
export const customerInputSchema = validatedByCore(customerInputDoc, 'A customer to insert or update');

const orderInputDoc = z.strictObject({
  id: z.string().describe('Order id: ingesting the same id twice changes nothing'),
  customerId: z.string(),
  amount,
  currency: z.string().optional().describe('ISO 4217; must be the store currency'),
  createdAt: dateInput,
});

/** One order (validated by core). */
export const orderInputSchema = validatedByCore(orderInputDoc, 'An order');

const eventInputDoc = z.strictObject({
  id: z.string().describe('Event id: ingesting the same id twice changes nothing'),
  customerId: z.string(),
  type: z.string().describe('e.g. `visit`'),
  at: dateInput,
});

/** One event (validated by core). */
export const eventInputSchema = validatedByCore(eventInputDoc, 'An event such as a visit');

/** An item refused by a batch write, with each problem (paths start with its index). */
export const rejectedItemSchema = z
  .object({ index: z.number().int(), problems: z.array(problemSchema).readonly() })
  .meta({ id: 'RejectedItem' });

/** One object, or a batch under `key`. */
export function oneOrBatch<T extends z.ZodType>(key: string, item: T) {
  return z.union([z.strictObject({ [key]: z.array(item).min(1).max(10_000) }), item]);
}
