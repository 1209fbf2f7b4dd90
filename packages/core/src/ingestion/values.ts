import type { AttributeValue } from '../domain/customer.js';
import type { Problem } from '../errors.js';
import type { FieldCatalog } from '../segment/catalog.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses an ISO 8601 date (`2024-05-01`) or date-time (`2024-05-01T10:00:00Z`); a date-time without
 * an offset is read as UTC. Accepts a valid `Date` as is. `null` for anything else.
 */
export function toDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const match = ISO_DATE.exec(text);
  if (match === null) return null;
  const withZone = text.length > 10 && match[1] === undefined ? `${text}Z` : text;
  const date = new Date(withZone.replace(' ', 'T'));
  if (Number.isNaN(date.getTime())) return null;
  // Reject dates JavaScript silently rolls over (2024-02-31 → March 2).
  const [y, m, d] = text.slice(0, 10).split('-').map(Number);
  const check = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 0));
  if (check.getUTCMonth() !== (m ?? 1) - 1 || check.getUTCDate() !== d) return null;
  return date;
}

/** E.164 after normalisation: `+`, a non-zero digit, then 6 to 14 digits. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/** Strips spaces, dashes, dots and parentheses from a phone number (`+1 (555) 010-0100` → `+15550100100`). */
export function normalisePhone(phone: string): string {
  return phone.replace(/[\s\-().]/g, '');
}

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a custom attribute or subscription key is refused, or `null` when it is fine. */
export function keyProblem(key: string): string | null {
  if (key === '' || key.length > 128) return 'name must be 1 to 128 characters';
  if (key.includes('.') || key.startsWith('$')) return 'name must not contain "." or start with "$"';
  if (RESERVED_KEYS.has(key)) return `"${key}" is a reserved name`;
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const ANY_ATTRIBUTE = 'must be a string, number, boolean, ISO date or list of strings';

/** The outcome of checking one attribute value. */
export type CheckedAttribute =
  | { ok: true; value: AttributeValue }
  | { ok: false; code: string; message: string };

function invalid(message: string, code = 'invalid_type'): CheckedAttribute {
  return { ok: false, code, message };
}

function checkUndeclared(value: unknown): CheckedAttribute {
  if (typeof value === 'string' || typeof value === 'boolean') return { ok: true, value };
  if (typeof value === 'number')
    return Number.isFinite(value) ? { ok: true, value } : invalid('must be a finite number');
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? invalid('must be a valid date') : { ok: true, value };
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return { ok: true, value: [...value] };
  return invalid(ANY_ATTRIBUTE);
}

/** Checks one attribute value against its declared catalog type (or the undeclared rules). */
export function checkAttribute(catalog: FieldCatalog, name: string, value: unknown): CheckedAttribute {
  const field = catalog.get(`attributes.${name}`);
  if (field === undefined) return checkUndeclared(value);
  switch (field.type) {
    case 'string':
      return typeof value === 'string'
        ? { ok: true, value }
        : { ok: false, code: 'invalid_type', message: 'must be a string' };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? { ok: true, value }
        : { ok: false, code: 'invalid_type', message: 'must be a finite number' };
    case 'boolean':
      return typeof value === 'boolean'
        ? { ok: true, value }
        : { ok: false, code: 'invalid_type', message: 'must be true or false' };
    case 'date': {
      const date = toDate(value);
      return date !== null
        ? { ok: true, value: date }
        : { ok: false, code: 'invalid_date', message: 'must be an ISO 8601 date or date-time' };
    }
    case 'enum': {
      const options = (field.options ?? []).map((o) => o.value);
      return typeof value === 'string' && options.includes(value)
        ? { ok: true, value }
        : {
            ok: false,
            code: 'invalid_enum_value',
            message: `must be one of ${options.map((o) => `"${o}"`).join(', ')}`,
          };
    }
    case 'tags':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? { ok: true, value: [...value] }
        : { ok: false, code: 'invalid_type', message: 'must be a list of strings' };
  }
}

/**
 * Validates a customer's `attributes`: declared ones by their catalog type (date strings become
 * `Date`), undeclared ones by the allowed value types. `null` values are dropped (absent).
 */
export function checkAttributes(
  catalog: FieldCatalog,
  input: unknown,
): { attributes: Record<string, AttributeValue>; problems: Problem[] } {
  const attributes: Record<string, AttributeValue> = {};
  const problems: Problem[] = [];
  if (input === undefined || input === null) return { attributes, problems };
  if (!isPlainObject(input)) {
    problems.push({ path: ['attributes'], code: 'invalid_type', message: 'must be an object' });
    return { attributes, problems };
  }
  for (const name of Object.keys(input)) {
    const value = input[name];
    const keyIssue = keyProblem(name);
    if (keyIssue !== null) {
      problems.push({ path: ['attributes', name], code: 'invalid_key', message: keyIssue });
      continue;
    }
    if (value === null || value === undefined) continue;
    const checked = checkAttribute(catalog, name, value);
    if (checked.ok) attributes[name] = checked.value;
    else problems.push({ path: ['attributes', name], code: checked.code, message: checked.message });
  }
  return { attributes, problems };
}

/** Validates `subscriptions`: an object of channel name → boolean. */
export function checkSubscriptions(input: unknown): {
  subscriptions: Record<string, boolean>;
  problems: Problem[];
} {
  const subscriptions: Record<string, boolean> = {};
  const problems: Problem[] = [];
  if (input === undefined || input === null) return { subscriptions, problems };
  if (!isPlainObject(input)) {
    problems.push({
      path: ['subscriptions'],
      code: 'invalid_type',
      message: 'must be an object of channel → boolean',
    });
    return { subscriptions, problems };
  }
  for (const channel of Object.keys(input)) {
    const value = input[channel];
    const keyIssue = keyProblem(channel);
    if (keyIssue !== null) {
      problems.push({ path: ['subscriptions', channel], code: 'invalid_key', message: keyIssue });
    } else if (typeof value !== 'boolean') {
      problems.push({
        path: ['subscriptions', channel],
        code: 'invalid_type',
        message: 'must be true or false',
      });
    } else {
      subscriptions[channel] = value;
    }
  }
  return { subscriptions, problems };
}
