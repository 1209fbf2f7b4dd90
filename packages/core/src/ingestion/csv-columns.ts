import type { Problem } from '../errors.js';
import { keyProblem } from './values.js';

/** Built-in customer fields a CSV column may name (matched case-insensitively). */
export const CSV_FIELDS = [
  'id',
  'name',
  'email',
  'phone',
  'totalSpend',
  'orderCount',
  'visits',
  'firstOrderAt',
  'lastOrderAt',
  'lastVisitAt',
  'createdAt',
] as const;

const BY_LOWER = new Map<string, string>(CSV_FIELDS.map((f) => [f.toLowerCase(), f]));

/** How the header maps to customer fields. */
export interface CsvHeader {
  /** Per column: its canonical name (`email`, `attributes.age`, `subscriptions.sms`), or `false` when ignored. */
  readonly columns: (string | false)[];
  /** Columns ignored because they name no customer field (or repeat one). */
  readonly ignored: string[];
  /** One problem per ignored column, path `[column]`. */
  readonly problems: Problem[];
  /** Problems that make the file unusable (missing `id` or `name` column). */
  readonly fatal: Problem[];
}

function canonical(column: string): string | { reason: string } {
  const builtIn = BY_LOWER.get(column.toLowerCase());
  if (builtIn !== undefined) return builtIn;
  const dot = column.indexOf('.');
  const prefix = dot === -1 ? '' : column.slice(0, dot).toLowerCase();
  if (prefix === 'attributes' || prefix === 'subscriptions') {
    const key = column.slice(dot + 1);
    const issue = keyProblem(key);
    return issue === null ? `${prefix}.${key}` : { reason: issue };
  }
  return {
    reason: 'it names no customer field (use a built-in field, attributes.<name> or subscriptions.<channel>)',
  };
}

/**
 * Maps a CSV header to customer fields. Unknown columns are not fatal: each gets one problem and
 * is ignored, so an export from another system with extra columns still imports. A file without
 * `id` or `name` columns is refused.
 */
export function mapCsvHeader(header: readonly string[]): CsvHeader {
  const columns: (string | false)[] = [];
  const ignored: string[] = [];
  const problems: Problem[] = [];
  const used = new Set<string>();
  for (const raw of header) {
    const column = raw.trim();
    const target = canonical(column);
    if (typeof target === 'string' && !used.has(target)) {
      used.add(target);
      columns.push(target);
      continue;
    }
    const reason = typeof target === 'string' ? `it repeats column "${target}"` : target.reason;
    columns.push(false);
    ignored.push(column);
    problems.push({
      path: [column],
      code: 'unknown_column',
      message: `column "${column}" is ignored: ${reason}`,
    });
  }
  const fatal: Problem[] = [];
  for (const required of ['id', 'name']) {
    if (!used.has(required)) {
      fatal.push({
        path: [required],
        code: 'missing_column',
        message: `the header has no "${required}" column`,
      });
    }
  }
  return { columns, ignored, problems, fatal };
}
