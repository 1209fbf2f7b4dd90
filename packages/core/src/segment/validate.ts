import { z } from 'zod';
import { type Problem, ValidationError } from '../errors.js';
import type { FieldCatalog } from './catalog.js';
import type { Condition, Operator, Rule, RuleGroup } from './types.js';
import { OPERATORS } from './types.js';
import { checkConditionValue, IGNORE_CASE_OPERATORS, INVALID } from './value-rules.js';

/** Limits of {@link validateRules} and {@link parseRules}, to refuse abusive rule trees. */
export interface RuleLimits {
  /** Deepest group nesting allowed; the root group is depth 1. @default 10 */
  readonly maxDepth?: number;
  /** Most conditions allowed in the whole tree. @default 500 */
  readonly maxConditions?: number;
}

type Path = readonly (string | number)[];

const groupShape = z.strictObject({
  combinator: z.enum(['and', 'or'], { error: 'combinator must be "and" or "or"' }),
  not: z.boolean({ error: 'not must be true or false' }).optional(),
  rules: z.array(z.unknown(), { error: 'rules must be a list of groups and conditions' }),
});

const conditionShape = z.strictObject({
  field: z.string({ error: 'field must be a string' }),
  operator: z.string({ error: 'operator must be a string' }),
  value: z.unknown().optional(),
  ignoreCase: z.boolean({ error: 'ignoreCase must be true or false' }).optional(),
});

interface Walk {
  readonly catalog: FieldCatalog;
  readonly maxDepth: number;
  readonly maxConditions: number;
  readonly problems: Problem[];
  conditions: number;
  /** Set once the condition limit is passed: the rest of the tree is not checked. */
  stopped: boolean;
}

function shapeProblems(error: z.ZodError, path: Path, problems: Problem[]): void {
  for (const issue of error.issues) {
    const at = [...path, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ path: [...at, key], code: 'unknown_key', message: `unexpected key "${key}"` });
      }
    } else {
      problems.push({ path: at, code: 'invalid_type', message: issue.message });
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

function visitCondition(raw: Record<string, unknown>, path: Path, walk: Walk): Condition | undefined {
  walk.conditions += 1;
  if (walk.conditions > walk.maxConditions) {
    walk.stopped = true;
    walk.problems.push({
      path: [],
      code: 'too_many_conditions',
      message: `the rules have more than ${walk.maxConditions} conditions`,
    });
    return undefined;
  }
  const { problems, catalog } = walk;
  const before = problems.length;
  const shape = conditionShape.safeParse(raw);
  if (!shape.success) shapeProblems(shape.error, path, problems);
  const { field: fieldName, operator, value, ignoreCase } = raw;
  const field = typeof fieldName === 'string' ? catalog.get(fieldName) : undefined;
  if (typeof fieldName === 'string' && field === undefined) {
    problems.push({
      path: [...path, 'field'],
      code: 'unknown_field',
      message: `unknown field "${fieldName}"`,
    });
  }
  const knownOperator = typeof operator === 'string' && (OPERATORS as readonly string[]).includes(operator);
  if (typeof operator === 'string' && !knownOperator) {
    problems.push({
      path: [...path, 'operator'],
      code: 'unknown_operator',
      message: `unknown operator "${operator}"`,
    });
  }
  if (field === undefined || !knownOperator) return undefined;
  const op = operator as Operator;
  if (!field.operators.includes(op)) {
    problems.push({
      path: [...path, 'operator'],
      code: 'operator_not_allowed',
      message: `operator "${op}" is not allowed on ${field.name} (${field.type}); allowed: ${field.operators.join(', ')}`,
    });
    return undefined;
  }
  if (ignoreCase === true && !(field.type === 'string' && IGNORE_CASE_OPERATORS.has(op))) {
    problems.push({
      path: [...path, 'ignoreCase'],
      code: 'ignore_case_not_allowed',
      message: `ignoreCase applies only to string comparisons on string fields, not to "${op}" on ${field.name} (${field.type})`,
    });
  }
  const normalized = checkConditionValue(field, op, value, [...path, 'value'], problems);
  if (normalized === INVALID || problems.length > before) return undefined;
  const condition: Condition = { field: field.name, operator: op };
  return {
    ...condition,
    ...(normalized === undefined ? {} : { value: normalized }),
    ...(ignoreCase === true ? { ignoreCase: true } : {}),
  };
}

function visitGroup(
  raw: Record<string, unknown>,
  path: Path,
  depth: number,
  walk: Walk,
): RuleGroup | undefined {
  const { problems } = walk;
  if (depth > walk.maxDepth) {
    problems.push({ path, code: 'too_deep', message: `groups nest at most ${walk.maxDepth} deep` });
    return undefined;
  }
  const before = problems.length;
  const shape = groupShape.safeParse(raw);
  if (!shape.success) shapeProblems(shape.error, path, problems);
  const rules: Rule[] = [];
  if (Array.isArray(raw.rules)) {
    if (raw.rules.length === 0) {
      problems.push({
        path: [...path, 'rules'],
        code: 'empty_group',
        message: 'a group needs at least one rule',
      });
    }
    raw.rules.forEach((child: unknown, i) => {
      if (walk.stopped) return;
      const rule = visitRule(child, [...path, 'rules', i], depth, walk);
      if (rule !== undefined) rules.push(rule);
    });
  }
  if (problems.length > before || !shape.success) return undefined;
  return {
    combinator: shape.data.combinator,
    ...(shape.data.not === true ? { not: true } : {}),
    rules,
  };
}

function visitRule(raw: unknown, path: Path, depth: number, walk: Walk): Rule | undefined {
  if (!isObject(raw)) {
    walk.problems.push({
      path,
      code: 'invalid_type',
      message: 'expected a group { combinator, rules } or a condition { field, operator, value }',
    });
    return undefined;
  }
  if ('rules' in raw || 'combinator' in raw) return visitGroup(raw, path, depth + 1, walk);
  return visitCondition(raw, path, walk);
}

function walkTree(
  input: unknown,
  catalog: FieldCatalog,
  options: RuleLimits,
): { rules?: RuleGroup; walk: Walk } {
  const walk: Walk = {
    catalog,
    maxDepth: options.maxDepth ?? 10,
    maxConditions: options.maxConditions ?? 500,
    problems: [],
    conditions: 0,
    stopped: false,
  };
  if (!isObject(input) || !('rules' in input || 'combinator' in input)) {
    walk.problems.push({
      path: [],
      code: 'invalid_type',
      message: 'the rules must be a group { combinator: "and" | "or", rules: [...] }',
    });
    return { walk };
  }
  const rules = visitGroup(input, [], 1, walk);
  return rules === undefined || walk.problems.length > 0 ? { walk } : { rules, walk };
}

/**
 * Checks a rule tree against the field catalog and reports every problem found, each with its path
 * in the tree (e.g. `['rules', 1, 'rules', 0, 'value']`): shape (groups and conditions, unknown
 * keys), unknown fields and operators, operators the field does not allow, values of the wrong type
 * for the operator and field, enum values that are not options, `ignoreCase` outside string
 * comparisons, empty groups, and the depth and size limits. An empty list means the tree is valid.
 *
 * @example
 * validateRules({ combinator: 'and', rules: [{ field: 'totalSpend', operator: '>', value: 'lots' }] }, catalog);
 * // [{ path: ['rules', 0, 'value'], code: 'invalid_type', message: 'expected a finite number …' }]
 */
export function validateRules(input: unknown, catalog: FieldCatalog, options: RuleLimits = {}): Problem[] {
  return walkTree(input, catalog, options).walk.problems;
}

/**
 * Validates a rule tree like {@link validateRules} and returns it normalized: date values become
 * `Date`, a `not: false` and `ignoreCase: false` are dropped, `exists` / `notExists` carry no value.
 * The input is not modified.
 *
 * @throws ValidationError (`invalid segment rules`) listing every problem with its path.
 */
export function parseRules(input: unknown, catalog: FieldCatalog, options: RuleLimits = {}): RuleGroup {
  const { rules, walk } = walkTree(input, catalog, options);
  if (rules === undefined) throw new ValidationError('invalid segment rules', walk.problems);
  return rules;
}
