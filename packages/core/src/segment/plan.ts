import type { FieldCatalog, FieldType } from './catalog.js';
import { dateValueToEpoch } from './iso-date.js';
import { relativeLowerBound } from './relative-date.js';
import type { Condition, ConditionScalar, RelativeDuration, RuleGroup } from './types.js';
import { isRuleGroup } from './types.js';

/**
 * A test on one field value, with everything resolved at compile time: dates as epoch ms, relative
 * dates against `now`, ignore-case needles lowercased. Every test is a positive operator; negated
 * operators are the positive test under {@link PlanTest.negate}.
 * @internal
 */
export type ValueTest =
  /** `v === k` (number, string, enum, boolean `=`). */
  | { readonly kind: 'equals'; readonly value: ConditionScalar }
  /** `v` is a string and `v.toLowerCase() === value` (value lowercased). */
  | { readonly kind: 'equalsLower'; readonly value: string }
  /** `v` is one of `values` (strict equality); `lower`: `v` is a string and its lowercase is. */
  | { readonly kind: 'oneOf'; readonly values: readonly ConditionScalar[]; readonly lower: boolean }
  /** `v` is a number and `lo <= v <= hi` (bounds inclusive, ±Infinity for open ends). */
  | { readonly kind: 'numberRange'; readonly lo: number; readonly hi: number; readonly strict: boolean }
  /** `v` is a `Date` and `lo <= v.getTime() <= hi` (`strict`: `lo < t < hi`). */
  | { readonly kind: 'dateRange'; readonly lo: number; readonly hi: number; readonly strict: boolean }
  /** `v` is a string and `v[method](needle)` (lowercased first when `lower`). */
  | {
      readonly kind: 'string';
      readonly method: 'includes' | 'startsWith' | 'endsWith';
      readonly needle: string;
      readonly lower: boolean;
    }
  /** `v` is an array containing `value`. */
  | { readonly kind: 'has'; readonly value: string }
  /** `v` is an array containing at least one of / all of `values`. */
  | { readonly kind: 'hasAny' | 'hasAll'; readonly values: readonly string[] }
  /** `v` is neither `undefined` nor `null`. */
  | { readonly kind: 'exists' };

/** A resolved condition. @internal */
export interface PlanTest {
  readonly kind: 'test';
  /** Property path from the customer, e.g. `['attributes', 'city']`. */
  readonly path: readonly string[];
  readonly test: ValueTest;
  /** True for a negated operator: the result is NOT the test. */
  readonly negate: boolean;
}

/** A resolved group. @internal */
export interface PlanGroup {
  readonly kind: 'group';
  readonly and: boolean;
  readonly not: boolean;
  readonly rules: readonly PlanNode[];
}

/** A resolved rule tree node. @internal */
export type PlanNode = PlanTest | PlanGroup;

function epoch(value: unknown): number {
  return typeof value === 'number' ? value : dateValueToEpoch(value);
}

function resolveTest(c: Condition, type: FieldType, now: number): { test: ValueTest; negate: boolean } {
  const v = c.value;
  const lower = c.ignoreCase === true;
  const lc = (s: unknown) => (lower ? String(s).toLowerCase() : String(s));
  const isDate = type === 'date';
  switch (c.operator) {
    case '=':
    case '!=':
      return {
        negate: c.operator === '!=',
        test: lower ? { kind: 'equalsLower', value: lc(v) } : { kind: 'equals', value: v as ConditionScalar },
      };
    case 'in':
    case 'notIn': {
      const values = (v as readonly ConditionScalar[]).map((x) => (lower ? lc(x) : x));
      return { negate: c.operator === 'notIn', test: { kind: 'oneOf', values: [...new Set(values)], lower } };
    }
    case '<':
      return { negate: false, test: { kind: 'numberRange', lo: -Infinity, hi: v as number, strict: true } };
    case '<=':
      return { negate: false, test: { kind: 'numberRange', lo: -Infinity, hi: v as number, strict: false } };
    case '>':
      return { negate: false, test: { kind: 'numberRange', lo: v as number, hi: Infinity, strict: true } };
    case '>=':
      return { negate: false, test: { kind: 'numberRange', lo: v as number, hi: Infinity, strict: false } };
    case 'between': {
      const [a, b] = v as readonly ConditionScalar[];
      return isDate
        ? { negate: false, test: { kind: 'dateRange', lo: epoch(a), hi: epoch(b), strict: false } }
        : { negate: false, test: { kind: 'numberRange', lo: a as number, hi: b as number, strict: false } };
    }
    case 'before':
      return { negate: false, test: { kind: 'dateRange', lo: -Infinity, hi: epoch(v), strict: true } };
    case 'after':
      return { negate: false, test: { kind: 'dateRange', lo: epoch(v), hi: Infinity, strict: true } };
    case 'withinLast':
    case 'notWithinLast': {
      const lo = relativeLowerBound(now, v as RelativeDuration);
      return {
        negate: c.operator === 'notWithinLast',
        test: { kind: 'dateRange', lo, hi: now, strict: false },
      };
    }
    case 'contains':
    case 'notContains':
      return {
        negate: c.operator === 'notContains',
        test: { kind: 'string', method: 'includes', needle: lc(v), lower },
      };
    case 'startsWith':
    case 'notStartsWith':
      return {
        negate: c.operator === 'notStartsWith',
        test: { kind: 'string', method: 'startsWith', needle: lc(v), lower },
      };
    case 'endsWith':
    case 'notEndsWith':
      return {
        negate: c.operator === 'notEndsWith',
        test: { kind: 'string', method: 'endsWith', needle: lc(v), lower },
      };
    case 'has':
      return { negate: false, test: { kind: 'has', value: v as string } };
    case 'hasAny':
    case 'hasAll':
      return { negate: false, test: { kind: c.operator, values: [...new Set(v as readonly string[])] } };
    case 'exists':
    case 'notExists':
      return { negate: c.operator === 'notExists', test: { kind: 'exists' } };
  }
}

/**
 * Resolves a validated rule tree into a plan both evaluator back ends run: field paths split,
 * values resolved against `now` and the field types of `catalog`.
 * @internal
 */
export function planRules(rules: RuleGroup, catalog: FieldCatalog, now: Date): PlanGroup {
  const t = now.getTime();
  const visit = (group: RuleGroup): PlanGroup => ({
    kind: 'group',
    and: group.combinator === 'and',
    not: group.not === true,
    rules: group.rules.map((rule): PlanNode => {
      if (isRuleGroup(rule)) return visit(rule);
      const field = catalog.get(rule.field);
      const type: FieldType = field?.type ?? 'string';
      return { kind: 'test', path: rule.field.split('.'), ...resolveTest(rule, type, t) };
    }),
  });
  return visit(rules);
}
