import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors.js';
import { parseReceipts } from '../src/receipt/schema.js';

const base = { id: 'evt_1', deliveryId: 'dlv_1', status: 'SENT', at: '2026-01-01T10:00:00Z' };

function problems(input: unknown) {
  try {
    parseReceipts(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/^invalid receipts/);
    return (error as ValidationError).problems.map((p) => ({ path: p.path, code: p.code }));
  }
  throw new Error('expected a ValidationError');
}

describe('parseReceipts', () => {
  it('accepts one receipt, an array, or { receipts }', () => {
    const expected = [{ ...base, at: new Date('2026-01-01T10:00:00Z') }];
    expect(parseReceipts(base)).toEqual(expected);
    expect(parseReceipts([base])).toEqual(expected);
    expect(parseReceipts({ receipts: [base] })).toEqual(expected);
    expect(parseReceipts([])).toEqual([]);
  });

  it('normalizes status case', () => {
    const statuses = ['sent', 'Delivered', 'FAILED', 'BOUNCED', 'opened', 'Clicked'].map(
      (status) => parseReceipts({ ...base, status })[0]?.status,
    );
    expect(statuses).toEqual(['SENT', 'DELIVERED', 'FAILED', 'bounced', 'opened', 'clicked']);
  });

  it('turns ISO strings, Dates and epoch ms into Dates', () => {
    const when = new Date('2026-02-03T04:05:06.789Z');
    for (const at of [when.toISOString(), when, when.getTime(), '2026-02-03T06:05:06.789+02:00']) {
      expect(parseReceipts({ ...base, at })[0]?.at).toEqual(when);
    }
    expect(parseReceipts({ ...base, at: '2026-02-03' })[0]?.at).toEqual(new Date('2026-02-03'));
  });

  it('keeps optional fields, drops nulls and unknown fields', () => {
    const [receipt] = parseReceipts({
      id: 'e',
      vendorMessageId: 'v1',
      status: 'failed',
      at: 0,
      attempt: 2,
      errorCode: 'E42',
      error: 'nope',
      retryable: false,
      retryAfterMs: 0,
      deliveryId: null,
      extra: 'x',
    });
    expect(receipt).toEqual({
      id: 'e',
      vendorMessageId: 'v1',
      status: 'FAILED',
      at: new Date(0),
      attempt: 2,
      errorCode: 'E42',
      error: 'nope',
      retryable: false,
      retryAfterMs: 0,
    });
  });

  it('lists every problem with its path', () => {
    expect(
      problems({
        receipts: [
          base,
          { id: '', status: 'lost', at: 'yesterday', attempt: 0, retryAfterMs: -5 },
          'nope',
          { ...base, attempt: 1.5, retryable: 'yes' },
        ],
      }),
    ).toEqual([
      { path: ['receipts', 1, 'id'], code: 'too_small' },
      { path: ['receipts', 1, 'status'], code: 'invalid_status' },
      { path: ['receipts', 1, 'at'], code: 'invalid_date' },
      { path: ['receipts', 1, 'attempt'], code: 'too_small' },
      { path: ['receipts', 1, 'retryAfterMs'], code: 'too_small' },
      { path: ['receipts', 1, 'deliveryId'], code: 'missing_reference' },
      { path: ['receipts', 2], code: 'invalid_type' },
      { path: ['receipts', 3, 'attempt'], code: 'invalid_type' },
      { path: ['receipts', 3, 'retryable'], code: 'invalid_type' },
    ]);
  });

  it('reports missing required fields', () => {
    expect(problems([{ deliveryId: 'd' }])).toEqual([
      { path: [0, 'id'], code: 'invalid_type' },
      { path: [0, 'status'], code: 'invalid_type' },
      { path: [0, 'at'], code: 'invalid_date' },
    ]);
    expect(problems({ ...base, at: Number.NaN })).toEqual([{ path: ['at'], code: 'invalid_date' }]);
    expect(problems({ ...base, at: new Date('x') })).toEqual([{ path: ['at'], code: 'invalid_date' }]);
  });

  it('refuses input of the wrong shape', () => {
    expect(problems(null)).toEqual([{ path: [], code: 'invalid_type' }]);
    expect(problems('receipt')).toEqual([{ path: [], code: 'invalid_type' }]);
    expect(problems({ receipts: {} })).toEqual([{ path: ['receipts'], code: 'invalid_type' }]);
  });
});
