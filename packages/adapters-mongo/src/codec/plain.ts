type Mutable = Record<string, unknown>;

function isPlainObject(value: unknown): value is Mutable {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of plain data fit for BSON: `undefined` properties dropped (the driver would store them as
 * `null`), plain objects and arrays copied, everything else (`Date`s, numbers, strings) kept.
 * `leaf` may replace values MongoDB cannot store faithfully (see the customer codec).
 */
export function toBson(value: unknown, leaf?: (v: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v: unknown) => (v === undefined ? null : toBson(v, leaf)));
  if (isPlainObject(value)) {
    const out: Mutable = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toBson(v, leaf);
    return out;
  }
  return leaf === undefined ? value : leaf(value);
}

/** A stored document as a record: `_id` renamed `id`, adapter-internal fields (`_`-prefixed) dropped. */
export function fromDoc<T>(doc: Mutable): T {
  const out: Mutable = { id: doc._id };
  for (const [k, v] of Object.entries(doc)) if (k[0] !== '_') out[k] = v;
  return out as T;
}

/** A record as a document: `id` becomes `_id`, undefined fields dropped. */
export function toDoc(record: { readonly id: string }, extra?: Mutable): Mutable {
  const { id, ...rest } = record as { id: string } & Mutable;
  return { _id: id, ...(toBson(rest) as Mutable), ...extra };
}
