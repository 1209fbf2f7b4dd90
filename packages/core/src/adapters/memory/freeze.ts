import type { Customer } from '../../domain/customer.js';
import type { Delivery } from '../../domain/delivery.js';

/**
 * A deeply frozen copy of plain data (objects and arrays copied; `Date`s and other class instances
 * kept as they are). Used for the rarely written records (segments, campaigns, orders).
 */
export function frozenCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return Object.freeze(value.map((v: unknown) => frozenCopy(v))) as T;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = frozenCopy(v);
  return Object.freeze(out) as T;
}

/**
 * Freezes a delivery the store owns (a fresh object), copying the one nested object (`lastError`) if
 * it is not frozen yet. O(1): no deep clone.
 */
export function freezeOwnedDelivery(delivery: Delivery): Delivery {
  const error = delivery.lastError;
  if (error !== undefined && !Object.isFrozen(error)) {
    (delivery as { lastError?: Delivery['lastError'] }).lastError = Object.freeze({ ...error });
  }
  return Object.freeze(delivery);
}

/**
 * Takes ownership of a caller's delivery without copying it: freezes it (and its `lastError`) in
 * place. Copies only when it is already frozen with an unfrozen `lastError`. Copying every record
 * of a 100,000-delivery launch would double what the garbage collector has to move.
 */
export function adoptDelivery(delivery: Delivery): Delivery {
  if (Object.isFrozen(delivery)) {
    const error = delivery.lastError;
    return error === undefined || Object.isFrozen(error) ? delivery : freezeOwnedDelivery({ ...delivery });
  }
  if (delivery.lastError !== undefined) Object.freeze(delivery.lastError);
  return Object.freeze(delivery);
}

/**
 * Freezes a customer the store owns (a fresh object from the aggregate functions), copying nested
 * objects that are not frozen yet (attributes and their lists, subscriptions, baseline, activity).
 */
export function freezeOwnedCustomer(customer: Customer): Customer {
  const c = customer as { -readonly [K in keyof Customer]: Customer[K] };
  if (!Object.isFrozen(c.attributes)) c.attributes = frozenCopy(c.attributes);
  if (!Object.isFrozen(c.subscriptions)) c.subscriptions = Object.freeze({ ...c.subscriptions });
  if (!Object.isFrozen(c.baseline)) c.baseline = Object.freeze({ ...c.baseline });
  if (!Object.isFrozen(c.activity)) c.activity = Object.freeze({ ...c.activity });
  return Object.freeze(c);
}
