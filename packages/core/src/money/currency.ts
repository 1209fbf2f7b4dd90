import { ValidationError } from '../errors.js';

/** An ISO 4217 currency and the number of digits after its decimal point. */
export interface CurrencyInfo {
  /** Upper-case ISO 4217 code, e.g. `USD`. */
  readonly code: string;
  /** Digits after the decimal point (minor unit exponent): 2 for USD, 0 for JPY, 3 for KWD. */
  readonly exponent: number;
}

let known: ReadonlySet<string> | undefined;

function knownCurrencies(): ReadonlySet<string> {
  known ??= new Set(Intl.supportedValuesOf('currency'));
  return known;
}

/** True when `code` (any case) is an ISO 4217 currency code the runtime knows. */
export function isKnownCurrency(code: string): boolean {
  return /^[A-Za-z]{3}$/.test(code) && knownCurrencies().has(code.toUpperCase());
}

/**
 * The ISO 4217 currency `code` (any case) and its minor unit exponent, as the runtime's `Intl` data
 * defines it. Throws a `ValidationError` (path `['currency']`) for an unknown code.
 *
 * @example
 * currencyInfo('usd'); // { code: 'USD', exponent: 2 }
 * currencyInfo('JPY'); // { code: 'JPY', exponent: 0 }
 */
export function currencyInfo(code: string): CurrencyInfo {
  if (typeof code !== 'string' || !isKnownCurrency(code)) {
    throw new ValidationError('invalid currency', [
      {
        path: ['currency'],
        code: 'unknown_currency',
        message: `"${String(code)}" is not an ISO 4217 currency code`,
      },
    ]);
  }
  const upper = code.toUpperCase();
  const exponent = new Intl.NumberFormat('en', { style: 'currency', currency: upper }).resolvedOptions()
    .maximumFractionDigits;
  return Object.freeze({ code: upper, exponent: exponent ?? 2 });
}
