/**
 * A reference evaluator for segment rules, written straight from the table in
 * `docs/segment-semantics.md` and sharing no code with `src/segment`. Slow and plain on purpose:
 * property tests check every real evaluator (compiled predicate, MongoDB filters) against it.
 */

type Rec = Record<string, unknown>;

/** A rule tree as plain data (conditions with `field`, `operator`, `value`, `ignoreCase`). */
export interface ReferenceRule {
  readonly combinator?: 'and' | 'or';
  readonly not?: boolean;
  readonly rules?: readonly ReferenceRule[];
  readonly field?: string;
  readonly operator?: string;
  readonly value?: unknown;
  readonly ignoreCase?: boolean;
}

/** Field types by field name, e.g. `{ totalSpend: 'number', 'attributes.city': 'enum' }`. */
export type ReferenceTypes = Readonly<Record<string, string>>;

function isObject(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null;
}

function readField(customer: unknown, field: string): unknown {
  let current: unknown = customer;
  for (const part of field.split('.')) {
    if (!isObject(current)) return undefined;
    current = Object.hasOwn(current, part) ? current[part] : undefined;
  }
  return current;
}

/** Epoch ms of a rule's date value: a Date or an ISO string (always written with a zone or date-only). */
function ruleDate(value: unknown): number {
  return value instanceof Date ? value.getTime() : new Date(String(value)).getTime();
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** `now` minus a duration, counted by hand. */
export function referenceLowerBound(now: Date, amount: number, unit: string): number {
  const t = now.getTime();
  const minute = 60 * 1000;
  if (unit === 'minutes') return t - amount * minute;
  if (unit === 'hours') return t - amount * 60 * minute;
  if (unit === 'days') return t - amount * 24 * 60 * minute;
  if (unit === 'weeks') return t - amount * 7 * 24 * 60 * minute;
  const months = unit === 'years' ? amount * 12 : amount;
  let year = now.getUTCFullYear();
  let month = now.getUTCMonth() - months;
  while (month < 0) {
    month += 12;
    year -= 1;
  }
  const lengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const day = Math.min(now.getUTCDate(), lengths[month] as number);
  return Date.UTC(
    year,
    month,
    day,
    now.getUTCHours(),
    now.getUTCMinutes(),
    now.getUTCSeconds(),
    now.getUTCMilliseconds(),
  );
}

function rightType(type: string, v: unknown): boolean {
  if (type === 'number') return typeof v === 'number';
  if (type === 'string' || type === 'enum') return typeof v === 'string';
  if (type === 'boolean') return typeof v === 'boolean';
  if (type === 'date') return v instanceof Date && !Number.isNaN(v.getTime());
  if (type === 'tags') return Array.isArray(v);
  return false;
}

function positive(
  operator: string,
  type: string,
  v: unknown,
  k: unknown,
  ignoreCase: boolean,
  now: Date,
): boolean {
  if (operator === 'exists') return v !== undefined && v !== null;
  if (!rightType(type, v)) return false;
  const fold = (s: unknown) => (ignoreCase && typeof s === 'string' ? s.toLowerCase() : s);
  switch (operator) {
    case '=':
      return fold(v) === fold(k);
    case 'in':
      return (k as unknown[]).some((x) => fold(v) === fold(x));
    case '<':
      return (v as number) < (k as number);
    case '<=':
      return (v as number) <= (k as number);
    case '>':
      return (v as number) > (k as number);
    case '>=':
      return (v as number) >= (k as number);
    case 'between': {
      const [min, max] = k as unknown[];
      if (type === 'date') {
        const t = (v as Date).getTime();
        return t >= ruleDate(min) && t <= ruleDate(max);
      }
      return (v as number) >= (min as number) && (v as number) <= (max as number);
    }
    case 'contains':
      return (fold(v) as string).includes(fold(k) as string);
    case 'startsWith':
      return (fold(v) as string).startsWith(fold(k) as string);
    case 'endsWith':
      return (fold(v) as string).endsWith(fold(k) as string);
    case 'has':
      return (v as unknown[]).includes(k);
    case 'hasAny':
      return (k as unknown[]).some((x) => (v as unknown[]).includes(x));
    case 'hasAll':
      return (k as unknown[]).every((x) => (v as unknown[]).includes(x));
    case 'before':
      return (v as Date).getTime() < ruleDate(k);
    case 'after':
      return (v as Date).getTime() > ruleDate(k);
    case 'withinLast': {
      const { amount, unit } = k as { amount: number; unit: string };
      const t = (v as Date).getTime();
      return referenceLowerBound(now, amount, unit) <= t && t <= now.getTime();
    }
  }
  throw new Error(`reference: unknown operator ${operator}`);
}

const NEGATIONS: Readonly<Record<string, string>> = {
  '!=': '=',
  notIn: 'in',
  notContains: 'contains',
  notStartsWith: 'startsWith',
  notEndsWith: 'endsWith',
  notWithinLast: 'withinLast',
  notExists: 'exists',
};

/** Evaluates a (valid) rule tree against one customer, following the semantics table. */
export function referenceEvaluate(
  rule: ReferenceRule,
  customer: unknown,
  types: ReferenceTypes,
  now: Date,
): boolean {
  if (rule.rules !== undefined) {
    const results = rule.rules.map((r) => referenceEvaluate(r, customer, types, now));
    const result = rule.combinator === 'and' ? results.every(Boolean) : results.some(Boolean);
    return rule.not === true ? !result : result;
  }
  const field = rule.field as string;
  const type = types[field];
  if (type === undefined) throw new Error(`reference: unknown field ${field}`);
  const v = readField(customer, field);
  const operator = rule.operator as string;
  const twin = NEGATIONS[operator];
  const ignoreCase = rule.ignoreCase === true;
  if (twin !== undefined) return !positive(twin, type, v, rule.value, ignoreCase, now);
  return positive(operator, type, v, rule.value, ignoreCase, now);
}
