import { z } from 'zod';
import { RECEIPT_STATUSES, type Receipt, type ReceiptStatus } from '../domain/receipt.js';
import { type Problem, ValidationError } from '../errors.js';
import { zodProblems } from '../util/zod-problems.js';

const STATUS_BY_KEY: ReadonlyMap<string, ReceiptStatus> = new Map(
  RECEIPT_STATUSES.map((status) => [status.toLowerCase(), status]),
);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

const id = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });
const optionalId = id.nullish();

const status = z.string({ error: 'must be a string' }).transform((value, ctx): ReceiptStatus => {
  const found = STATUS_BY_KEY.get(value.trim().toLowerCase());
  if (found !== undefined) return found;
  ctx.addIssue({
    code: 'custom',
    params: { code: 'invalid_status' },
    message: `must be one of ${RECEIPT_STATUSES.join(', ')} (any case), got "${value}"`,
  });
  return z.NEVER;
});

const at = z.unknown().transform((value, ctx): Date => {
  let date: Date | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value);
  else if (typeof value === 'string' && ISO_DATE.test(value.trim())) date = new Date(value.trim());
  if (date !== undefined && !Number.isNaN(date.getTime())) return date;
  ctx.addIssue({
    code: 'custom',
    params: { code: 'invalid_date' },
    message:
      value === undefined || value === null
        ? 'is required: an ISO 8601 date, a Date or epoch milliseconds'
        : 'must be an ISO 8601 date, a Date or epoch milliseconds',
  });
  return z.NEVER;
});

/** zod schema of one receipt as accepted on input (before the "deliveryId or vendorMessageId" check). */
export const receiptInputSchema = z.object({
  id,
  deliveryId: optionalId,
  vendorMessageId: optionalId,
  status,
  at,
  attempt: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .positive({ error: 'must be ≥ 1' })
    .nullish(),
  errorCode: z.string({ error: 'must be a string' }).nullish(),
  error: z.string({ error: 'must be a string' }).nullish(),
  retryable: z.boolean({ error: 'must be a boolean' }).nullish(),
  retryAfterMs: z.number({ error: 'must be a number' }).min(0, { error: 'must be ≥ 0' }).nullish(),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function parseOne(raw: unknown, path: readonly (string | number)[], problems: Problem[]): Receipt | null {
  if (!isRecord(raw)) {
    problems.push({ path: [...path], code: 'invalid_type', message: 'must be a receipt object' });
    return null;
  }
  const before = problems.length;
  const result = receiptInputSchema.safeParse(raw);
  if (!result.success) problems.push(...zodProblems(result.error, path));
  if ((raw.deliveryId ?? null) === null && (raw.vendorMessageId ?? null) === null) {
    problems.push({
      path: [...path, 'deliveryId'],
      code: 'missing_reference',
      message: 'one of deliveryId or vendorMessageId is required',
    });
  }
  if (!result.success || problems.length > before) return null;
  const v = result.data;
  return {
    id: v.id,
    ...(v.deliveryId == null ? {} : { deliveryId: v.deliveryId }),
    ...(v.vendorMessageId == null ? {} : { vendorMessageId: v.vendorMessageId }),
    status: v.status,
    at: v.at,
    ...(v.attempt == null ? {} : { attempt: v.attempt }),
    ...(v.errorCode == null ? {} : { errorCode: v.errorCode }),
    ...(v.error == null ? {} : { error: v.error }),
    ...(v.retryable == null ? {} : { retryable: v.retryable }),
    ...(v.retryAfterMs == null ? {} : { retryAfterMs: v.retryAfterMs }),
  };
}

/**
 * Validates delivery receipts from untrusted input (a webhook body, a channel's `parseReceipt`).
 *
 * Accepts one receipt, an array of receipts, or `{ receipts: [...] }`. Per receipt: `id` is a
 * non-empty string; one of `deliveryId` / `vendorMessageId` is required; `status` is one of
 * {@link RECEIPT_STATUSES}, in any letter case (`'delivered'` → `'DELIVERED'`, `'Clicked'` →
 * `'clicked'`); `at` is an ISO 8601 string, a `Date` or epoch milliseconds and becomes a `Date`;
 * `attempt` is a positive integer; `retryAfterMs` is ≥ 0. `null` optional fields count as absent;
 * unknown fields are dropped.
 *
 * @returns The receipts in input order, normalized.
 * @throws ValidationError (`invalid receipts`) listing every problem with its path, e.g.
 *   `receipts[2].status`; nothing is returned when any receipt is invalid.
 * @example
 * parseReceipts({ receipts: [{ id: 'evt_1', deliveryId: 'dlv_1', status: 'delivered', at: Date.now() }] });
 */
export function parseReceipts(input: unknown): Receipt[] {
  const problems: Problem[] = [];
  const receipts: Receipt[] = [];
  let list: readonly unknown[];
  let prefix: readonly (string | number)[] = [];
  if (Array.isArray(input)) {
    list = input;
  } else if (isRecord(input) && 'receipts' in input) {
    if (!Array.isArray(input.receipts)) {
      throw new ValidationError('invalid receipts', [
        { path: ['receipts'], code: 'invalid_type', message: 'must be an array of receipts' },
      ]);
    }
    list = input.receipts;
    prefix = ['receipts'];
  } else if (isRecord(input)) {
    const one = parseOne(input, [], problems);
    if (one === null) throw new ValidationError('invalid receipts', problems);
    return [one];
  } else {
    throw new ValidationError('invalid receipts', [
      {
        path: [],
        code: 'invalid_type',
        message: 'expected a receipt, an array of receipts or { receipts: [...] }',
      },
    ]);
  }
  for (let i = 0; i < list.length; i++) {
    const receipt = parseOne(list[i], [...prefix, i], problems);
    if (receipt !== null) receipts.push(receipt);
  }
  if (problems.length > 0) throw new ValidationError('invalid receipts', problems);
  return receipts;
}
