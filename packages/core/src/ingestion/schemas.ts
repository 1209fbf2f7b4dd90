import { z } from 'zod';
import type { CustomerEvent, Order } from '../domain/activity.js';
import type { CustomerUpsert } from '../domain/customer.js';
import type { Problem } from '../errors.js';
import type { FieldCatalog } from '../segment/catalog.js';
import { minorToMajor } from './aggregates.js';
import { amountField, countField, dateField, expected, idField, phoneField } from './fields.js';
import { issuesToProblems, withoutNulls } from './problems.js';
import { checkAttributes, checkSubscriptions } from './values.js';

/** The result of validating one input item: the value, or every problem (paths relative to the item). */
export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: Problem[] };

/** The currency setting validation needs. */
export interface StoreCurrency {
  readonly code: string;
  readonly exponent: number;
}

/** zod schema of a customer's profile and baseline (attributes and subscriptions are checked separately). */
export function customerSchema(exponent: number) {
  return z.strictObject({
    id: idField,
    name: z
      .string(expected('a string'))
      .trim()
      .min(1, 'must not be empty')
      .max(1000, 'must be at most 1000 characters'),
    email: z
      .email({ error: 'must be an email address' })
      .max(320, 'must be at most 320 characters')
      .optional(),
    phone: phoneField.optional(),
    attributes: z.unknown().optional(),
    subscriptions: z.unknown().optional(),
    totalSpend: amountField(exponent).optional(),
    orderCount: countField.optional(),
    visits: countField.optional(),
    firstOrderAt: dateField.optional(),
    lastOrderAt: dateField.optional(),
    lastVisitAt: dateField.optional(),
    createdAt: dateField.optional(),
  });
}

function notObject(what: string): Problem[] {
  return [{ path: [], code: 'invalid_type', message: `must be a ${what} object` }];
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Validates one customer input into a {@link CustomerUpsert}. Declared attributes are checked by
 * their catalog type; every problem is returned, never just the first. Explicit `null`s mean absent.
 */
export function checkCustomer(
  input: unknown,
  catalog: FieldCatalog,
  currency: StoreCurrency,
  schema = customerSchema(currency.exponent),
): Checked<CustomerUpsert> {
  if (!isObject(input)) return { ok: false, problems: notObject('customer') };
  const raw = withoutNulls(input);
  const parsed = schema.safeParse(raw);
  const problems = parsed.success
    ? []
    : issuesToProblems(parsed.error, ' (custom fields go under "attributes")');
  const { attributes, problems: attributeProblems } = checkAttributes(catalog, raw.attributes);
  const { subscriptions, problems: subscriptionProblems } = checkSubscriptions(raw.subscriptions);
  problems.push(...attributeProblems, ...subscriptionProblems);
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const c = parsed.data;
  if (c.firstOrderAt && c.lastOrderAt && c.firstOrderAt.getTime() > c.lastOrderAt.getTime()) {
    return {
      ok: false,
      problems: [{ path: ['firstOrderAt'], code: 'invalid_range', message: 'must not be after lastOrderAt' }],
    };
  }
  return {
    ok: true,
    value: {
      id: c.id,
      name: c.name,
      email: c.email,
      phone: c.phone,
      attributes,
      subscriptions,
      baseline: {
        spendMinor: c.totalSpend ?? 0,
        orderCount: c.orderCount ?? 0,
        visits: c.visits ?? 0,
        firstOrderAt: c.firstOrderAt,
        lastOrderAt: c.lastOrderAt,
        lastVisitAt: c.lastVisitAt,
      },
      currencyExponent: currency.exponent,
      createdAt: c.createdAt,
    },
  };
}

/** zod schema of an order input; `currency`, when given, must be the store currency. */
export function orderSchema(currency: StoreCurrency) {
  return z.strictObject({
    id: idField,
    customerId: idField,
    amount: amountField(currency.exponent),
    currency: z
      .string(expected('a string'))
      .refine((code) => code.toUpperCase() === currency.code, {
        message: `must be the store currency ${currency.code} (MiniCRM aggregates spend in one currency)`,
        params: { code: 'currency_mismatch' },
      })
      .optional(),
    createdAt: dateField,
  });
}

/** Validates one order input into an {@link Order} in the store currency, amount exact in minor units. */
export function checkOrder(
  input: unknown,
  currency: StoreCurrency,
  schema = orderSchema(currency),
): Checked<Order> {
  if (!isObject(input)) return { ok: false, problems: notObject('order') };
  const parsed = schema.safeParse(withoutNulls(input));
  if (!parsed.success) return { ok: false, problems: issuesToProblems(parsed.error) };
  const o = parsed.data;
  return {
    ok: true,
    value: {
      id: o.id,
      customerId: o.customerId,
      amountMinor: o.amount,
      amount: minorToMajor(o.amount, currency.exponent),
      currency: currency.code,
      currencyExponent: currency.exponent,
      createdAt: o.createdAt,
    },
  };
}

/** zod schema of an event input; `type` defaults to `visit`. */
export const eventSchema = z.strictObject({
  id: idField,
  customerId: idField,
  type: z
    .string(expected('a string'))
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters')
    .default('visit'),
  at: dateField,
});

/** Validates one event input into a {@link CustomerEvent}. */
export function checkEvent(input: unknown): Checked<CustomerEvent> {
  if (!isObject(input)) return { ok: false, problems: notObject('event') };
  const parsed = eventSchema.safeParse(withoutNulls(input));
  if (!parsed.success) return { ok: false, problems: issuesToProblems(parsed.error) };
  return { ok: true, value: parsed.data };
}
