/** Units for relative date conditions. Months and years are calendar months/years in UTC. */
export type RelativeUnit = 'minutes' | 'hours' | 'days' | 'weeks' | 'months' | 'years';

/** A span of time back from "now", e.g. `{ amount: 3, unit: 'months' }`. */
export interface RelativeDuration {
  readonly amount: number;
  readonly unit: RelativeUnit;
}

/** Every operator a condition may use. Which ones a field allows depends on its type (see the field catalog). */
export type Operator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'between'
  | 'in'
  | 'notIn'
  | 'contains'
  | 'notContains'
  | 'startsWith'
  | 'notStartsWith'
  | 'endsWith'
  | 'notEndsWith'
  | 'has'
  | 'hasAny'
  | 'hasAll'
  | 'exists'
  | 'notExists'
  | 'before'
  | 'after'
  | 'withinLast'
  | 'notWithinLast';

/** The list of all operators, in a stable order. */
export const OPERATORS: readonly Operator[] = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'between',
  'in',
  'notIn',
  'contains',
  'notContains',
  'startsWith',
  'notStartsWith',
  'endsWith',
  'notEndsWith',
  'has',
  'hasAny',
  'hasAll',
  'exists',
  'notExists',
  'before',
  'after',
  'withinLast',
  'notWithinLast',
];

/** A scalar a condition compares against. Dates are ISO 8601 strings (or `Date`). */
export type ConditionScalar = string | number | boolean | Date;

/** The value of a condition; its shape depends on the operator (see the core README). */
export type ConditionValue =
  | ConditionScalar
  | readonly ConditionScalar[]
  | RelativeDuration
  | null
  | undefined;

/** One test on one field, e.g. `{ field: 'totalSpend', operator: '>', value: 10000 }`. */
export interface Condition {
  /** A field name from the field catalog, e.g. `visits` or `attributes.city`. */
  readonly field: string;
  readonly operator: Operator;
  /** Omitted for `exists` / `notExists`. */
  readonly value?: ConditionValue;
  /** For string operators: compare ignoring case. Default `false`. */
  readonly ignoreCase?: boolean;
}

/** A group of rules joined by `and` / `or`, optionally negated. Groups nest. */
export interface RuleGroup {
  readonly combinator: 'and' | 'or';
  /** Negate the whole group. Default `false`. */
  readonly not?: boolean;
  readonly rules: readonly Rule[];
}

/** A rule is a condition or a nested group. */
export type Rule = Condition | RuleGroup;

/** True when `rule` is a group (has `rules`), false for a condition. */
export function isRuleGroup(rule: Rule): rule is RuleGroup {
  return (rule as RuleGroup).rules !== undefined;
}
