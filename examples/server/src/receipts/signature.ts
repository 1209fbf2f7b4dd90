/**
 * HMAC signatures of receipt webhook bodies.
 *
 * A sender signs the exact bytes it posts and sends the result in the `x-minicrm-signature` header:
 *
 * ```
 * x-minicrm-signature: t=1763719200,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
 * ```
 *
 * where `t` is the signing time in Unix seconds and `v1` is the lowercase hex HMAC-SHA256, keyed with
 * `RECEIPT_SECRET`, of `` `${t}.${rawBody}` ``. Binding the time into the MAC lets the receiver refuse
 * replays older than its tolerance (5 minutes by default) without keeping state.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Name of the header that carries a receipt body's signature. */
export const SIGNATURE_HEADER = 'x-minicrm-signature';

/** How far a signature's time may be from the receiver's clock, in seconds. @default 300 */
export const DEFAULT_SIGNATURE_TOLERANCE_S = 300;

function mac(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/**
 * The `x-minicrm-signature` header value for a body.
 *
 * @param secret - the shared secret (`RECEIPT_SECRET`)
 * @param rawBody - the exact bytes that will be posted
 * @param nowMs - signing time in epoch milliseconds @default Date.now()
 */
export function signReceiptBody(
  secret: string,
  rawBody: string | Buffer,
  nowMs: number = Date.now(),
): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${mac(secret, t, rawBody)}`;
}

/** Why a signature was refused. */
export type SignatureProblem = 'missing' | 'malformed' | 'expired' | 'mismatch';

/**
 * Checks a body's signature header. Returns `null` when it is valid, else the reason it is not.
 * Compares in constant time; accepts several `v1=` entries (for secret rotation: any one may match).
 *
 * @param toleranceS - greatest accepted distance between `t` and `nowMs`, in seconds @default 300
 */
export function verifyReceiptSignature(
  secret: string,
  header: string | undefined,
  rawBody: string | Buffer,
  nowMs: number = Date.now(),
  toleranceS: number = DEFAULT_SIGNATURE_TOLERANCE_S,
): SignatureProblem | null {
  if (header === undefined || header.trim() === '') return 'missing';
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return 'malformed';
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return 'malformed';
      t = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return 'malformed';
      candidates.push(value);
    }
  }
  if (t === undefined || candidates.length === 0) return 'malformed';
  if (Math.abs(nowMs / 1000 - t) > toleranceS) return 'expired';
  const expected = Buffer.from(mac(secret, t, rawBody), 'hex');
  const ok = candidates.some((c) => timingSafeEqual(Buffer.from(c, 'hex'), expected));
  return ok ? null : 'mismatch';
}
