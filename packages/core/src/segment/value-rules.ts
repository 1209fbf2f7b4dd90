import type { Problem } from '../errors.js';
import { type FieldDefinition, OPERATORS_BY_TYPE } from './catalog.js';
import { dateValueToEpoch } from './iso-date.js';
import { RELATIVE_UNITS } from './relative-date.js';
import type { ConditionScalar, ConditionValue, Operator, RelativeDuration } from './types.js';

type Path = readonly (string | number)[];

/** What shape of value an operator takes. */
type ValueKind = 'scalar' | 'needle' | 'list' | 'range' | 'relative' | 'none';

const VALUE_KIND: Readonly<Record<Operator, ValueKind>> = {
  '=': 'scalar',
  '!=': 'scalar',
  '<': 'scalar',
  '<=': 'scalar',
  '>': 'scalar',
  '>=': 'scalar',
  before: 'scalar',
  after: 'scalar',
  has: 'scalar',
  contains: 'needle',
  notContains: 'needle',
  startsWith: 'needle',
  notStartsWith: 'needle',
  endsWith: 'needle',
  notEndsWith: 'needle',
  in: 'list',
  notIn: 'list',
  hasAny: 'list',
  hasAll: 'list',
  between: 'range',
  withinLast: 'relative',
  notWithinLast: 'relative',
  exists: 'none',
  notExists: 'none',
};

/** Operators that compare strings and so accept `ignoreCase: true` (on `string` fields only). */
export const IGNORE_CASE_OPERATORS: ReadonlySet<Operator> = new Set<Operator>(
  OPERATORS_BY_TYPE.string.filter((op) => op !== 'exists' && op !== 'notExists'),
);

/** Marks a value that failed its checks (its problems have been reported). */
export const INVALID: unique symbol = Symbol('invalid');

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a Date';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Checks one scalar against the field's type; returns it normalized (dates become `Date`). */
function scalar(
  field: FieldDefinition,
  value: unknown,
  path: Path,
  problems: Problem[],
): ConditionScalar | typeof INVALID {
  const bad = (expected: string): typeof INVALID => {
    problems.push({
      path,
      code: 'invalid_type',
      message: `expected ${expected} for field ${field.name}, got ${describe(value)}`,
    });
    return INVALID;
  };
  switch (field.type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : bad('a finite number');
    case 'boolean':
      return typeof value === 'boolean' ? value : bad('true or false');
    case 'string':
    case 'tags':
      return typeof value === 'string' ? value : bad('a string');
    case 'enum': {
      if (typeof value !== 'string') return bad('a string');
      const options = field.options ?? [];
      if (options.some((o) => o.value === value)) return value;
      problems.push({
        path,
        code: 'not_an_option',
        message: `"${value}" is not an option of ${field.name} (options: ${options.map((o) => o.value).join(', ')})`,
      });
      return INVALID;
    }
    case 'date': {
      const ms = dateValueToEpoch(value);
      return Number.isNaN(ms)
        ? bad('an ISO 8601 date (e.g. "2024-03-31" or "2024-03-31T10:00:00Z") or a Date')
        : new Date(ms);
    }
  }
}

function relative(value: unknown, path: Path, problems: Problem[]): RelativeDuration | typeof INVALID {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) {
    problems.push({
      path,
      code: 'invalid_type',
      message: 'expected { amount, unit }, e.g. { amount: 3, unit: "months" }',
    });
    return INVALID;
  }
  const before = problems.length;
  const { amount, unit, ...rest } = value as Record<string, unknown>;
  for (const key of Object.keys(rest)) {
    problems.push({ path: [...path, key], code: 'unknown_key', message: `unexpected key "${key}"` });
  }
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
    problems.push({
      path: [...path, 'amount'],
      code: 'invalid_value',
      message: 'amount must be a positive integer',
    });
  }
  if (typeof unit !== 'string' || !(RELATIVE_UNITS as readonly string[]).includes(unit)) {
    problems.push({
      path: [...path, 'unit'],
      code: 'invalid_value',
      message: `unit must be one of ${RELATIVE_UNITS.join(', ')}`,
    });
  }
  return problems.length > before
    ? INVALID
    : { amount: amount as number, unit: unit as RelativeDuration['unit'] };
}

/**
 * Checks the `value` of a condition whose field and operator are known to be valid together, pushing
 * a problem (with its path) for everything wrong. Returns the normalized value, or {@link INVALID}.
 */
export function checkConditionValue(
  field: FieldDefinition,
  operator: Operator,
  value: unknown,
  path: Path,
  problems: Problem[],
): ConditionValue | typeof INVALID {
  switch (VALUE_KIND[operator]) {
    case 'none':
      if (value === undefined || value === null) return undefined;
      problems.push({ path, code: 'unexpected_value', message: `${operator} takes no value` });
      return INVALID;
    case 'scalar':
      return scalar(field, value, path, problems);
    case 'needle': {
      const needle = scalar(field, value, path, problems);
      if (needle === '') {
        problems.push({ path, code: 'invalid_value', message: `${operator} needs a non-empty string` });
        return INVALID;
      }
      return needle;
    }
    case 'list': {
      if (!Array.isArray(value) || value.length === 0) {
        problems.push({
          path,
          code: 'invalid_type',
          message: `${operator} needs a non-empty list of values`,
        });
        return INVALID;
      }
      const before = problems.length;
      const out = value.map((v: unknown, i) => scalar(field, v, [...path, i], problems));
      return problems.length > before ? INVALID : (out as ConditionScalar[]);
    }
    case 'range': {
      if (!Array.isArray(value) || value.length !== 2) {
        problems.push({ path, code: 'invalid_type', message: 'between needs a pair [min, max]' });
        return INVALID;
      }
      const before = problems.length;
      const min = scalar(field, value[0], [...path, 0], problems);
      const max = scalar(field, value[1], [...path, 1], problems);
      if (min === INVALID || max === INVALID || problems.length > before) return INVALID;
      const lo = min instanceof Date ? min.getTime() : (min as number);
      const hi = max instanceof Date ? max.getTime() : (max as number);
      if (lo > hi) {
        problems.push({ path, code: 'invalid_range', message: 'between needs min <= max' });
        return INVALID;
      }
      return [min, max];
    }
    case 'relative':
      return relative(value, path, problems);
  }
}
