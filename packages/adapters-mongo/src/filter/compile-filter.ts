import type { Condition, FieldCatalog, FieldType, RelativeDuration, RuleGroup } from '@minicrm/core';
import { isRuleGroup, parseIsoDate, parseRules, relativeLowerBound } from '@minicrm/core';
import { BSONRegExp, type Document, type Filter } from 'mongodb';
import { escapeRegex } from './regex.js';

/** Options of {@link compileMongoFilter}. */
export interface CompileMongoFilterOptions {
  /** The catalog the rules are checked against; field types choose the comparisons. */
  readonly catalog: FieldCatalog;
  /** The instant relative dates (`withinLast`, `notWithinLast`) resolve against, once. */
  readonly now: Date;
}

type Op = Record<string, unknown>;

/**
 * MongoDB applies a condition to each element of an array field (`{ f: 'a' }` matches `['a']`);
 * core never does. Every scalar test therefore also requires the field not to be an array.
 */
const NOT_ARRAY = { $not: { $type: 'array' } } as const;

function epoch(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  return parseIsoDate(String(value));
}

function regex(pattern: string, ignoreCase: boolean): BSONRegExp {
  return new BSONRegExp(pattern, ignoreCase ? 'i' : '');
}

/** `\A…\z`: whole-string anchors with the same meaning in PCRE and RE2 (`$` is not: PCRE lets it match before a final newline). */
const whole = (s: unknown) => `\\A${escapeRegex(String(s))}\\z`;

/** The filter of a positive (non-negated) test of `c` on the document field `path`. */
function positive(c: Condition, type: FieldType, path: string, now: Date): Filter<Document> {
  const v = c.value;
  const lower = c.ignoreCase === true;
  const scalar = (ops: Op): Filter<Document> => ({ [path]: { ...ops, ...NOT_ARRAY } });
  const dateRange = (lo: number, hi: number, strict: boolean): Filter<Document> => {
    const ops: Op = {};
    if (lo !== Number.NEGATIVE_INFINITY) ops[strict ? '$gt' : '$gte'] = new Date(lo);
    if (hi !== Number.POSITIVE_INFINITY) ops[strict ? '$lt' : '$lte'] = new Date(hi);
    if (Object.keys(ops).length === 0) ops.$type = 'date';
    return scalar(ops);
  };
  switch (c.operator) {
    case '=':
    case '!=':
      return scalar(lower ? { $regex: regex(whole(v), true) } : { $eq: v });
    case 'in':
    case 'notIn': {
      const values = v as readonly unknown[];
      return scalar({ $in: lower ? values.map((x) => regex(whole(x), true)) : [...values] });
    }
    case '<':
      return scalar({ $lt: v });
    case '<=':
      return scalar({ $lte: v });
    case '>':
      return scalar({ $gt: v });
    case '>=':
      return scalar({ $gte: v });
    case 'between': {
      const [a, b] = v as readonly unknown[];
      return type === 'date' ? dateRange(epoch(a), epoch(b), false) : scalar({ $gte: a, $lte: b });
    }
    case 'before':
      return dateRange(Number.NEGATIVE_INFINITY, epoch(v), true);
    case 'after':
      return dateRange(epoch(v), Number.POSITIVE_INFINITY, true);
    case 'withinLast':
    case 'notWithinLast':
      return dateRange(relativeLowerBound(now, v as RelativeDuration), now.getTime(), false);
    case 'contains':
    case 'notContains':
      return scalar({ $regex: regex(escapeRegex(String(v)), lower) });
    case 'startsWith':
    case 'notStartsWith':
      return scalar({ $regex: regex(`\\A${escapeRegex(String(v))}`, lower) });
    case 'endsWith':
    case 'notEndsWith':
      return scalar({ $regex: regex(`${escapeRegex(String(v))}\\z`, lower) });
    case 'has':
      return { [path]: { $elemMatch: { $eq: v } } };
    case 'hasAny':
      return { [path]: { $elemMatch: { $in: [...(v as readonly string[])] } } };
    case 'hasAll': {
      const all = [...new Set(v as readonly string[])].map((x) => ({ [path]: { $elemMatch: { $eq: x } } }));
      return all.length === 1 ? (all[0] as Filter<Document>) : { $and: all };
    }
    case 'exists':
    case 'notExists':
      // Present and not null; an array (even `[]` or `[null]`) always exists.
      return { $or: [{ [path]: { $type: 'array' } }, { [path]: { $ne: null } }] };
  }
}

const NEGATED = new Set([
  '!=',
  'notIn',
  'notContains',
  'notStartsWith',
  'notEndsWith',
  'notWithinLast',
  'notExists',
]);

function group(filters: Filter<Document>[], and: boolean): Filter<Document> {
  if (filters.length === 1) return filters[0] as Filter<Document>;
  return and ? { $and: filters } : { $or: filters };
}

/**
 * Compiles a segment rule tree to a MongoDB filter over customer documents (as the MongoDB storage
 * writes them) that selects exactly the customers core's `compileSegment` selects
 * (`docs/segment-semantics.md` of `@minicrm/core`):
 *
 * - missing, `null` and wrong-typed values fail every positive operator: scalar tests carry
 *   `$not: { $type: 'array' }` (MongoDB would match an array containing the value), array tests use
 *   `$elemMatch` (MongoDB would match a scalar), and comparisons only match values of the compared
 *   BSON type;
 * - negated operators and `not` groups are `$nor` of the positive filter, so they are true for
 *   missing and wrong-typed values;
 * - dates are BSON dates; relative dates are resolved once against `now` with core's calendar
 *   arithmetic (`relativeLowerBound`);
 * - `ignoreCase` is a case-insensitive regex of the escaped value (`\A…\z` anchors for equality).
 *
 * The field `id` is the document's `_id`. The rules are validated against `catalog` first.
 *
 * @throws ValidationError when the rules are not valid against `catalog`.
 * @example
 * const filter = compileMongoFilter(
 *   { combinator: 'and', rules: [{ field: 'totalSpend', operator: '>', value: 10000 }] },
 *   { catalog: defaultFieldCatalog, now: new Date() },
 * );
 * await db.collection('minicrm_customers').countDocuments(filter);
 */
export function compileMongoFilter(rules: RuleGroup, options: CompileMongoFilterOptions): Filter<Document> {
  const valid = parseRules(rules, options.catalog, { maxDepth: Infinity, maxConditions: Infinity });
  const visit = (node: RuleGroup): Filter<Document> => {
    const parts = node.rules.map((rule): Filter<Document> => {
      if (isRuleGroup(rule)) return visit(rule);
      const type = options.catalog.get(rule.field)?.type ?? 'string';
      const path = rule.field === 'id' ? '_id' : rule.field;
      const filter = positive(rule, type, path, options.now);
      return NEGATED.has(rule.operator) ? { $nor: [filter] } : filter;
    });
    const combined = group(parts, node.combinator === 'and');
    return node.not === true ? { $nor: [combined] } : combined;
  };
  return visit(valid);
}
