import type { Customer } from '../domain/customer.js';
import { fieldReader } from './field-access.js';
import type { PlanNode, ValueTest } from './plan.js';

type Test = (v: unknown) => boolean;

const SET_THRESHOLD = 8;

function valueTest(t: ValueTest): Test {
  switch (t.kind) {
    case 'equals': {
      const k = t.value;
      return (v) => v === k;
    }
    case 'equalsLower': {
      const k = t.value;
      return (v) => typeof v === 'string' && v.toLowerCase() === k;
    }
    case 'oneOf': {
      const values = t.values.length > SET_THRESHOLD ? new Set<unknown>(t.values) : t.values;
      const has =
        values instanceof Set
          ? (v: unknown) => values.has(v)
          : (v: unknown) => (values as unknown[]).includes(v);
      return t.lower ? (v) => typeof v === 'string' && has(v.toLowerCase()) : has;
    }
    case 'numberRange': {
      const { lo, hi } = t;
      return t.strict
        ? (v) => typeof v === 'number' && v > lo && v < hi
        : (v) => typeof v === 'number' && v >= lo && v <= hi;
    }
    case 'dateRange': {
      const { lo, hi } = t;
      return t.strict
        ? (v) => v instanceof Date && v.getTime() > lo && v.getTime() < hi
        : (v) => v instanceof Date && v.getTime() >= lo && v.getTime() <= hi;
    }
    case 'string': {
      const { method, needle } = t;
      return t.lower
        ? (v) => typeof v === 'string' && v.toLowerCase()[method](needle)
        : (v) => typeof v === 'string' && v[method](needle);
    }
    case 'has': {
      const k = t.value;
      return (v) => Array.isArray(v) && v.includes(k);
    }
    case 'hasAny': {
      const needles = t.values;
      return (v) => Array.isArray(v) && v.some((x) => needles.includes(x));
    }
    case 'hasAll': {
      const needles = t.values;
      return (v) => Array.isArray(v) && needles.every((x) => v.includes(x));
    }
    case 'exists':
      return (v) => v !== undefined && v !== null;
  }
}

/**
 * The closure back end: builds the predicate as composed closures, no code generation. Used where
 * `new Function` is unavailable (strict CSP, some edge runtimes) or with `codegen: false`.
 * @internal
 */
export function closurePredicate(node: PlanNode): (customer: Customer) => boolean {
  if (node.kind === 'test') {
    const read = fieldReader(node.path);
    const test = valueTest(node.test);
    return node.negate ? (c) => !test(read(c)) : (c) => test(read(c));
  }
  const parts = node.rules.map(closurePredicate);
  let fn: (c: Customer) => boolean;
  if (parts.length === 1) fn = parts[0]!;
  else if (node.and) fn = (c) => parts.every((p) => p(c));
  else fn = (c) => parts.some((p) => p(c));
  if (!node.not) return fn;
  const inner = fn;
  return (c) => !inner(c);
}
