/** Options of {@link parseAmountToMinor}. */
export interface ParseAmountOptions {
  /** Accept amounts below zero (refunds, corrections). @default false */
  readonly allowNegative?: boolean;
}

/** The outcome of {@link parseAmountToMinor}: the exact amount in minor units, or why it was refused. */
export type ParseAmountResult =
  | { readonly ok: true; readonly minor: number }
  | { readonly ok: false; readonly message: string };

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Converts an amount in major units (`12.5`, `"12.50"`, `"1e3"`) to integer minor units of a
 * currency with `exponent` decimal digits, exactly: the decimal text is parsed digit by digit (a
 * number through its shortest string form), never multiplied as a float. Refuses more fraction
 * digits than the currency has (trailing zeros aside), negatives (unless allowed), non-finite
 * values and results beyond `Number.MAX_SAFE_INTEGER`.
 *
 * @example
 * parseAmountToMinor(0.1, 2); // { ok: true, minor: 10 }
 * parseAmountToMinor('19.999', 2); // { ok: false, message: 'has more than 2 decimal places' }
 */
export function parseAmountToMinor(
  amount: number | string,
  exponent: number,
  options: ParseAmountOptions = {},
): ParseAmountResult {
  let text: string;
  if (typeof amount === 'number') {
    if (!Number.isFinite(amount)) return { ok: false, message: 'must be a finite number' };
    text = String(amount);
  } else if (typeof amount === 'string') {
    text = amount.trim();
  } else {
    return { ok: false, message: 'must be a number or a decimal string' };
  }
  const match = DECIMAL.exec(text);
  const intPart = match?.[2] ?? '';
  const fracPart = match?.[3] ?? '';
  if (match === null || (intPart === '' && fracPart === '')) {
    return { ok: false, message: `"${text}" is not a decimal amount` };
  }
  const shift = Number(match[4] ?? '0');
  // digits × 10^(shift - fracPart.length) major units = digits × 10^(shift - frac + exponent) minor.
  let digits = `${intPart}${fracPart}`.replace(/^0+(?=\d)/, '');
  let scale = shift - fracPart.length + exponent;
  while (scale < 0 && digits.length > 1 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    scale += 1;
  }
  if (scale < 0 && digits !== '0') {
    return { ok: false, message: `has more than ${exponent} decimal place${exponent === 1 ? '' : 's'}` };
  }
  if (digits === '0') return { ok: true, minor: 0 };
  if (digits.length + scale > 16) return { ok: false, message: 'is too large' };
  const minor = BigInt(digits) * 10n ** BigInt(scale);
  if (minor > MAX) return { ok: false, message: 'is too large' };
  if (match[1] === '-') {
    if (options.allowNegative !== true) return { ok: false, message: 'must not be negative' };
    return { ok: true, minor: -Number(minor) };
  }
  return { ok: true, minor: Number(minor) };
}
