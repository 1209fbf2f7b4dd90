import type { Customer } from '@minicrm/core';
import { fromDoc, toBson } from './plain.js';

type Mutable = Record<string, unknown>;

/** Key of the marker sub-document standing for a value BSON cannot hold faithfully. */
const MARKER = '__minicrm';

/**
 * MongoDB cannot hold two JavaScript values faithfully: `NaN` (FerretDB drops the connection on it)
 * and an invalid `Date` (the BSON serializer writes it as 1970-01-01). Both are stored as a marker
 * sub-document instead, which every segment operator treats exactly as core does these values:
 * present (`exists`), but failing every other positive test.
 */
function encodeLeaf(value: unknown): unknown {
  if (typeof value === 'number' && Number.isNaN(value)) return { [MARKER]: 'NaN' };
  if (value instanceof Date && Number.isNaN(value.getTime())) return { [MARKER]: 'InvalidDate' };
  return value;
}

function decodeLeaf(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    const marker = (value as Mutable)[MARKER];
    if (marker === 'NaN') return Number.NaN;
    if (marker === 'InvalidDate') return new Date(Number.NaN);
  }
  return value;
}

/**
 * The document of a customer (or of any customer-like record: the filter tests store raw records
 * with wrong types the same way): `_id` is the id; `NaN` and invalid dates become markers.
 */
export function encodeCustomer(
  customer: Customer | Readonly<Record<string, unknown>>,
  extra?: Mutable,
): Mutable {
  const { id, ...rest } = customer as Mutable;
  return { _id: id, ...(toBson(rest, encodeLeaf) as Mutable), ...extra };
}

/** A customer from its document (adapter fields dropped, markers decoded). */
export function decodeCustomer(doc: Mutable): Customer {
  const c = fromDoc<Mutable>(doc);
  for (const [k, v] of Object.entries(c)) c[k] = decodeLeaf(v);
  const attributes = c.attributes;
  if (attributes !== null && typeof attributes === 'object') {
    const a = attributes as Mutable;
    for (const [k, v] of Object.entries(a)) a[k] = Array.isArray(v) ? v.map(decodeLeaf) : decodeLeaf(v);
  }
  return c as unknown as Customer;
}
