import type { CustomerUpsert } from '../domain/customer.js';
import type { Problem } from '../errors.js';
import type { FieldCatalog } from '../segment/catalog.js';
import { type Checked, checkCustomer, type customerSchema, type StoreCurrency } from './schemas.js';

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  return undefined;
}

/** Splits a tags cell on `|` or `;`, trimming and dropping empty tags. */
export function splitTags(text: string): string[] {
  return text
    .split(/[|;]/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

class Invalid {
  constructor(readonly message: string) {}
}

function invalid(message: string): Invalid {
  return new Invalid(message);
}

function coerceAttribute(catalog: FieldCatalog, name: string, text: string): unknown {
  const type = catalog.get(`attributes.${name}`)?.type;
  if (type === 'number') return NUMBER.test(text) ? Number(text) : invalid('must be a number');
  if (type === 'boolean') return parseBoolean(text) ?? invalid('must be true/false, yes/no or 1/0');
  if (type === 'tags') return splitTags(text);
  return text; // string, enum, date (checked by the customer schema), undeclared: the text
}

/** A schema path as a CSV column path: `['attributes', 'age']` → `['attributes.age']`. */
function toColumnPath(path: readonly (string | number)[]): (string | number)[] {
  const [head, key, ...rest] = path;
  if ((head === 'attributes' || head === 'subscriptions') && key !== undefined)
    return [`${head}.${key}`, ...rest];
  return [...path];
}

/**
 * Turns one CSV record (canonical column → cell text) into a validated customer upsert. Empty cells
 * are absent; numbers, booleans and tags are coerced by the catalog type of their column. Problem
 * paths name the column, e.g. `['attributes.age']`.
 */
export function csvRecordToCustomer(
  record: Readonly<Record<string, string | undefined>>,
  catalog: FieldCatalog,
  currency: StoreCurrency,
  schema: ReturnType<typeof customerSchema>,
): Checked<CustomerUpsert> {
  const input: Record<string, unknown> = {};
  const attributes: Record<string, unknown> = {};
  const subscriptions: Record<string, unknown> = {};
  const problems: Problem[] = [];
  for (const [column, cell] of Object.entries(record)) {
    const text = cell?.trim() ?? '';
    if (text === '') continue;
    let value: unknown = text;
    let target = input;
    let key = column;
    if (column.startsWith('attributes.')) {
      key = column.slice('attributes.'.length);
      target = attributes;
      value = coerceAttribute(catalog, key, text);
    } else if (column.startsWith('subscriptions.')) {
      key = column.slice('subscriptions.'.length);
      target = subscriptions;
      value = parseBoolean(text) ?? invalid('must be true/false, yes/no or 1/0');
    } else if (column === 'orderCount' || column === 'visits') {
      value = /^\d+$/.test(text) ? Number(text) : invalid('must be a whole number');
    }
    if (value instanceof Invalid)
      problems.push({ path: [column], code: 'invalid_value', message: value.message });
    else target[key] = value;
  }
  if (Object.keys(attributes).length > 0) input.attributes = attributes;
  if (Object.keys(subscriptions).length > 0) input.subscriptions = subscriptions;
  const checked = checkCustomer(input, catalog, currency, schema);
  if (checked.ok && problems.length === 0) return checked;
  if (!checked.ok) problems.push(...checked.problems.map((p) => ({ ...p, path: toColumnPath(p.path) })));
  return { ok: false, problems };
}
