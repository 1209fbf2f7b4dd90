import { randomUUID } from 'node:crypto';
import type { IdGenerator } from '../ports/id-generator.js';

/** Random ids: `prefix` + a UUID v4 without dashes. */
export const randomIds: IdGenerator = {
  next: (prefix: string) => `${prefix}${randomUUID().replaceAll('-', '')}`,
};

/** Predictable ids for tests: `prefix` + a counter (`cmp_1`, `cmp_2`, …). */
export function sequentialIds(): IdGenerator {
  let n = 0;
  return { next: (prefix: string) => `${prefix}${++n}` };
}
