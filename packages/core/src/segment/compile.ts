import type { Customer } from '../domain/customer.js';
import type { FieldCatalog } from './catalog.js';
import { generatedPredicate } from './codegen.js';
import { closurePredicate } from './evaluate-closures.js';
import { planRules } from './plan.js';
import type { RuleGroup } from './types.js';
import { parseRules } from './validate.js';

/** Options of {@link compileSegment}. */
export interface CompileSegmentOptions {
  /** The catalog the rules are checked against (field types drive the comparisons). */
  readonly catalog: FieldCatalog;
  /** The instant relative dates (`withinLast`, `notWithinLast`) resolve against, once. */
  readonly now: Date;
  /**
   * Generate one specialised function with `new Function` (fastest). With `false`, or where the
   * runtime forbids code generation, the predicate is built from closures; results are identical.
   * Values are never spliced into generated source: they are passed in as constants.
   * @default true
   */
  readonly codegen?: boolean;
}

/** A compiled segment: `true` when the customer matches. Pure and reusable. */
export type SegmentPredicate = (customer: Customer) => boolean;

/**
 * Compiles a rule tree into a fast in-memory predicate following the semantics in
 * `docs/segment-semantics.md`. Everything that can be is resolved once: field reads are specialised
 * per path, dates become epoch ms, relative dates are resolved against `now`, `in` lists become
 * inline comparisons (or a `Set` when long), ignore-case needles are lowercased.
 *
 * The rules are validated first (without the depth and size limits), so rules read back from
 * storage with ISO date strings work too.
 *
 * @throws ValidationError when the rules are not valid against `catalog`.
 * @example
 * const isBigSpender = compileSegment(
 *   { combinator: 'and', rules: [{ field: 'totalSpend', operator: '>', value: 10000 }] },
 *   { catalog: defaultFieldCatalog, now: new Date() },
 * );
 * customers.filter(isBigSpender);
 */
export function compileSegment(rules: RuleGroup, options: CompileSegmentOptions): SegmentPredicate {
  const valid = parseRules(rules, options.catalog, { maxDepth: Infinity, maxConditions: Infinity });
  const plan = planRules(valid, options.catalog, options.now);
  if (options.codegen !== false) {
    try {
      return generatedPredicate(plan);
    } catch (error) {
      if (!(error instanceof EvalError)) throw error;
    }
  }
  return closurePredicate(plan);
}
