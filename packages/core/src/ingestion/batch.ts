import { type Problem, ValidationError } from '../errors.js';
import type { RejectedItem } from './deps.js';

/** An input normalised to a list, remembering whether it was an array (problem paths then start with the index). */
export interface InputItems {
  readonly items: readonly unknown[];
  readonly isArray: boolean;
}

/** Accepts one object or an array of them; anything else is refused with a root problem. */
export function toItems(input: unknown, what: string): InputItems {
  if (Array.isArray(input)) return { items: input, isArray: true };
  if (input !== null && typeof input === 'object' && !(input instanceof Date)) {
    return { items: [input], isArray: false };
  }
  throw new ValidationError(`invalid ${what}`, [
    {
      path: [],
      code: 'invalid_type',
      message: `must be a ${what.replace(/s$/, '')} object or an array of them`,
    },
  ]);
}

/** Prefixes problem paths with the item index when the input was an array. */
export function atIndex(problems: readonly Problem[], index: number, isArray: boolean): Problem[] {
  return isArray ? problems.map((p) => ({ ...p, path: [index, ...p.path] })) : [...problems];
}

/** Splits `items` into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Throws a `ValidationError` with every problem of `rejected` unless `partial` allows them. */
export function refuseUnlessPartial(what: string, rejected: readonly RejectedItem[], partial: boolean): void {
  if (partial || rejected.length === 0) return;
  throw new ValidationError(
    `invalid ${what}`,
    rejected.flatMap((r) => r.problems),
  );
}

/** Adds `problem` to the rejected item at `index`, creating it when needed (keeps input order). */
export function reject(rejected: Map<number, Problem[]>, index: number, problems: readonly Problem[]): void {
  const list = rejected.get(index);
  if (list === undefined) rejected.set(index, [...problems]);
  else list.push(...problems);
}

/** The rejected items in input order. */
export function rejectedList(rejected: ReadonlyMap<number, Problem[]>): RejectedItem[] {
  return [...rejected.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([index, problems]) => ({ index, problems }));
}
