import { z } from 'zod';
import { parseAmountToMinor } from '../money/parse-amount.js';
import { MAX_ID_LENGTH } from '../util/id-schema.js';
import { E164, normalisePhone, toDate } from './values.js';

type IssueInput = { readonly input?: unknown };

/** zod error option: "is required" when absent, `must be <what>` otherwise. */
export function expected(what: string): { error: (issue: IssueInput) => string } {
  return { error: (issue) => (issue.input === undefined ? 'is required' : `must be ${what}`) };
}

/** An id: a string of 1 to {@link MAX_ID_LENGTH} (256) characters. */
export const idField = z
  .string(expected('a string'))
  .min(1, 'must not be empty')
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`);

/** A non-negative integer count. */
export const countField = z
  .number(expected('a number'))
  .int('must be a whole number')
  .min(0, 'must not be negative')
  .max(Number.MAX_SAFE_INTEGER, 'is too large');

/** A date: ISO 8601 string (UTC unless it carries an offset) or `Date`; becomes a `Date`. */
export const dateField = z.unknown().transform((value, ctx) => {
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is required', params: { code: 'required' } });
    return z.NEVER;
  }
  const date = toDate(value);
  if (date === null) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be an ISO 8601 date or date-time',
      params: { code: 'invalid_date' },
    });
    return z.NEVER;
  }
  return date;
});

/** A phone number, normalised (spaces, dashes, dots, parentheses stripped) and checked as E.164. */
export const phoneField = z
  .string(expected('a string'))
  .transform((value) => normalisePhone(value))
  .refine((value) => E164.test(value), {
    message: 'must be an E.164 phone number such as +15551234567',
    params: { code: 'invalid_phone' },
  });

/** An amount in major units (number or decimal string) converted exactly to minor units. */
export function amountField(exponent: number) {
  return z.unknown().transform((value, ctx) => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is required', params: { code: 'required' } });
      return z.NEVER;
    }
    if (typeof value !== 'number' && typeof value !== 'string') {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a number or a decimal string',
        params: { code: 'invalid_type' },
      });
      return z.NEVER;
    }
    const parsed = parseAmountToMinor(value, exponent);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.message, params: { code: 'invalid_amount' } });
      return z.NEVER;
    }
    return parsed.minor;
  });
}
