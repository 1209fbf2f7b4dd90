import {
  ForTag,
  type RangeToken,
  TablerowTag,
  type Template,
  type Token,
  TypeGuards,
  toValueSync,
  Value,
} from 'liquidjs';
import type { Problem } from '../errors.js';
import type { TemplateLimits } from './limits.js';

/** `(line 3, column 7)` for a token, as the other template problems say it. */
export function where(token: Token): string {
  const [row, col] = token.getPosition();
  return `(line ${row}, column ${col})`;
}

/** Items of a range whose two bounds are number literals, e.g. 500 for `(1..500)`; else undefined. */
function literalRangeSize(range: RangeToken): number | undefined {
  const { lhs, rhs } = range;
  if (!TypeGuards.isNumberToken(lhs) || !TypeGuards.isNumberToken(rhs)) return undefined;
  // liquidjs builds the range `low, low + 1, …` while the item is below `high + 1`.
  return Math.max(0, Math.ceil(rhs.content + 1 - lhs.content));
}

type Expression = {
  readonly initial: { readonly postfix: readonly Token[] };
  readonly filters: readonly { readonly args: readonly unknown[] }[];
};

/** Every range token inside a tag argument or output value: operands, filter arguments, groups. */
function* rangesIn(value: unknown): Generator<RangeToken> {
  if (Array.isArray(value)) {
    // A `key: value` filter argument.
    yield* rangesIn(value[1]);
  } else if (value instanceof Value || TypeGuards.isFilteredValueToken(value)) {
    const expression = value as unknown as Expression;
    for (const token of expression.initial.postfix) yield* rangesIn(token);
    for (const filter of expression.filters) for (const arg of filter.args) yield* rangesIn(arg);
  } else if (TypeGuards.isRangeToken(value)) {
    yield value;
    yield* rangesIn(value.lhs);
    yield* rangesIn(value.rhs);
  }
}

/** How many times a `for` / `tablerow` runs its body, when literals say (a literal range, a literal `limit`). */
function literalIterations(loop: ForTag | TablerowTag): number | undefined {
  const collection = loop.collection;
  let count: number | undefined;
  if (TypeGuards.isRangeToken(collection)) count = literalRangeSize(collection);
  else if (TypeGuards.isQuotedToken(collection)) count = 1;
  const limit = (loop instanceof ForTag ? loop.hash : loop.args).hash.limit;
  if (TypeGuards.isNumberToken(limit))
    count = Math.min(count ?? Number.POSITIVE_INFINITY, Math.max(0, limit.content));
  return count;
}

/**
 * What a template is known to cost before it runs, from literals alone: each literal range with
 * more than `maxRangeSize` items (`range_too_large`), and each loop that, with the loops around
 * it, takes more than `maxSteps` steps (`template_too_costly`; only the outermost such loop of a
 * nest is reported). Costs that depend on customer data are bounded when rendering.
 */
export function costProblems(templates: readonly Template[], limits: TemplateLimits): Problem[] {
  const problems: Problem[] = [];
  const visit = (list: readonly Template[], times: number, reported: boolean): void => {
    for (const template of list) {
      const tooLarge = new Set<Token>();
      for (const arg of template.arguments?.() ?? []) {
        for (const range of rangesIn(arg)) {
          const size = literalRangeSize(range);
          if (size === undefined || size <= limits.maxRangeSize) continue;
          tooLarge.add(range);
          problems.push({
            path: ['template'],
            code: 'range_too_large',
            message: `range ${range.getText()} ${where(range)} has ${size} items; a message template may use ranges of at most ${limits.maxRangeSize}`,
          });
        }
      }
      let inner = times;
      let innerReported = reported;
      if (template instanceof ForTag || template instanceof TablerowTag) {
        inner = times * (literalIterations(template) ?? 1);
        const steps = inner * (template.templates.length + 1);
        if (!reported && steps > limits.maxSteps) {
          innerReported = true;
          if (!tooLarge.has(template.collection)) {
            problems.push({
              path: ['template'],
              code: 'template_too_costly',
              message: `loop ${where(template.token)} runs its body ${inner} times (nested loops multiply), about ${steps} rendering steps; a message may take at most ${limits.maxSteps}`,
            });
          }
        }
      }
      if (template instanceof ForTag) {
        visit(template.templates, inner, innerReported);
        visit(template.elseTemplates, times, reported); // rendered only when there is nothing to loop over
      } else if (template.children !== undefined) {
        visit(toValueSync(template.children(false, true)), inner, innerReported);
      }
    }
  };
  visit(templates, 1, false);
  return problems;
}
