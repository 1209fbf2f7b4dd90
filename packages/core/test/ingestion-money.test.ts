import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors.js';
import { minorToMajor } from '../src/ingestion/aggregates.js';
import { currencyInfo, isKnownCurrency } from '../src/money/currency.js';
import { parseAmountToMinor } from '../src/money/parse-amount.js';

describe('currencyInfo', () => {
  it('gives the ISO 4217 exponent', () => {
    expect(currencyInfo('USD')).toEqual({ code: 'USD', exponent: 2 });
    expect(currencyInfo('jpy')).toEqual({ code: 'JPY', exponent: 0 });
    expect(currencyInfo('KWD')).toEqual({ code: 'KWD', exponent: 3 });
  });

  it('refuses unknown codes with a ValidationError', () => {
    for (const code of ['XYZ', 'US', 'dollars', '']) {
      expect(isKnownCurrency(code)).toBe(false);
      const error = (() => {
        try {
          currencyInfo(code);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems[0]?.path).toEqual(['currency']);
    }
  });
});

describe('parseAmountToMinor', () => {
  const ok = (minor: number) => ({ ok: true, minor });

  it('parses numbers and decimal strings exactly', () => {
    expect(parseAmountToMinor(0.1, 2)).toEqual(ok(10));
    expect(parseAmountToMinor(19.99, 2)).toEqual(ok(1999));
    expect(parseAmountToMinor(1.005, 3)).toEqual(ok(1005));
    expect(parseAmountToMinor('12.50', 2)).toEqual(ok(1250));
    expect(parseAmountToMinor(' 7 ', 2)).toEqual(ok(700));
    expect(parseAmountToMinor('.5', 2)).toEqual(ok(50));
    expect(parseAmountToMinor('5.', 2)).toEqual(ok(500));
    expect(parseAmountToMinor('1e3', 2)).toEqual(ok(100000));
    expect(parseAmountToMinor('1.5E-1', 2)).toEqual(ok(15));
    expect(parseAmountToMinor(1e21, 0)).toEqual({ ok: false, message: 'is too large' });
    expect(parseAmountToMinor(1e-7, 2).ok).toBe(false);
    expect(parseAmountToMinor('12.500', 2)).toEqual(ok(1250));
    expect(parseAmountToMinor('0', 2)).toEqual(ok(0));
    expect(parseAmountToMinor('-0', 2)).toEqual(ok(0));
    expect(parseAmountToMinor(1234, 0)).toEqual(ok(1234));
  });

  it('refuses what it cannot represent exactly', () => {
    expect(parseAmountToMinor('19.999', 2)).toEqual({ ok: false, message: 'has more than 2 decimal places' });
    expect(parseAmountToMinor(0.5, 0)).toEqual({ ok: false, message: 'has more than 0 decimal places' });
    expect(parseAmountToMinor(-1, 2)).toEqual({ ok: false, message: 'must not be negative' });
    expect(parseAmountToMinor('-1.25', 2, { allowNegative: true })).toEqual(ok(-125));
    expect(parseAmountToMinor(Number.NaN, 2).ok).toBe(false);
    expect(parseAmountToMinor(Number.POSITIVE_INFINITY, 2).ok).toBe(false);
    expect(parseAmountToMinor('1,000', 2).ok).toBe(false);
    expect(parseAmountToMinor('abc', 2).ok).toBe(false);
    expect(parseAmountToMinor('', 2).ok).toBe(false);
    expect(parseAmountToMinor('.', 2).ok).toBe(false);
    expect(parseAmountToMinor('0x10', 2).ok).toBe(false);
  });

  it('stops at Number.MAX_SAFE_INTEGER minor units', () => {
    expect(parseAmountToMinor('90071992547409.91', 2)).toEqual(ok(Number.MAX_SAFE_INTEGER));
    expect(parseAmountToMinor('90071992547409.92', 2)).toEqual({ ok: false, message: 'is too large' });
    expect(parseAmountToMinor(String(Number.MAX_SAFE_INTEGER), 0)).toEqual(ok(Number.MAX_SAFE_INTEGER));
  });

  it('sums a million orders of 0.1 to exactly 100000.00', () => {
    let total = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const parsed = parseAmountToMinor(0.1, 2);
      if (!parsed.ok) throw new Error(parsed.message);
      total += parsed.minor;
    }
    expect(total).toBe(10_000_000);
    expect(minorToMajor(total, 2)).toBe(100000);
    expect(minorToMajor(total, 2).toFixed(2)).toBe('100000.00');
  });
});
