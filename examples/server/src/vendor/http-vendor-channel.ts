/**
 * A MiniCRM channel that sends through an HTTP vendor speaking the `POST /vendor/send` format (the
 * vendor simulator, or a real vendor behind the same contract).
 */
import {
  type Channel,
  type Customer,
  type OutboundMessage,
  type Problem,
  type SendContext,
  type SendResult,
  ValidationError,
} from '@minicrm/core';
import { parseRetryAfter } from './retry-after.js';
import { type VendorSendRequest, vendorSendResponseSchema } from './vendor-schemas.js';

/** Error codes of {@link createHttpVendorChannel}'s rejections. */
export type HttpVendorErrorCode =
  /** HTTP 429: retryable, with `retryAfterMs` when the vendor sent `Retry-After`. */
  | 'VENDOR_RATE_LIMITED'
  /** HTTP 5xx: retryable. */
  | 'VENDOR_UNAVAILABLE'
  /** No answer within `timeoutMs`: retryable. */
  | 'VENDOR_TIMEOUT'
  /** Connection refused, reset, DNS failure…: retryable. */
  | 'VENDOR_UNREACHABLE'
  /** Any other 4xx: the vendor refused the message, not retryable. */
  | 'VENDOR_REJECTED';

/** Options of {@link createHttpVendorChannel}. */
export interface HttpVendorChannelOptions {
  /** Channel name campaigns refer to, e.g. `sms`. */
  readonly name: string;
  /** The vendor's send endpoint, e.g. `http://127.0.0.1:3000/vendor/send`. */
  readonly url: string | URL;
  /** Time limit of one send, answer body included (ms). @default 5000 */
  readonly timeoutMs?: number;
  /** HTTP client. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * The customer's address on this channel. @default core's defaults (`sms` → phone, `email` → email;
   * other names reach nobody)
   */
  readonly address?: (customer: Customer) => string | null;
}

/** Longest part of a vendor's error body quoted in a rejection's `error`. */
const EXCERPT_CHARS = 200;

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
}

function rejectedForStatus(status: number, text: string, retryAfterMs: number | undefined): SendResult {
  const detail = excerpt(text);
  const error = `vendor answered HTTP ${status}${detail === '' ? '' : `: ${detail}`}`;
  if (status === 429) {
    return {
      status: 'rejected',
      retryable: true,
      errorCode: 'VENDOR_RATE_LIMITED',
      error,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  if (status >= 500) {
    return {
      status: 'rejected',
      retryable: true,
      errorCode: 'VENDOR_UNAVAILABLE',
      error,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  return { status: 'rejected', retryable: false, errorCode: 'VENDOR_REJECTED', error };
}

function parseAccepted(text: string): SendResult {
  try {
    const parsed = vendorSendResponseSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { status: 'accepted', vendorMessageId: parsed.data.vendorMessageId };
  } catch {
    // An unreadable 2xx body still means the vendor took the message.
  }
  return { status: 'accepted' };
}

/**
 * Creates a channel that POSTs each attempt as JSON ({@link VendorSendRequest}) with an
 * `Idempotency-Key` header. It declares `reportsOutcomes: true`: the vendor reports every accepted
 * message's outcome later by receipt callback, so campaigns wait for it.
 *
 * Answers map to send results, and HTTP failures never throw:
 * - 2xx → `accepted` with the vendor's `vendorMessageId` (without it if the body is unreadable:
 *   callbacks still match by `deliveryId`);
 * - 429 → retryable `VENDOR_RATE_LIMITED`, 5xx → retryable `VENDOR_UNAVAILABLE` (both with
 *   `retryAfterMs` from a `Retry-After` header, in seconds or as an HTTP date);
 * - no answer within `timeoutMs` → retryable `VENDOR_TIMEOUT`; a network error → retryable
 *   `VENDOR_UNREACHABLE`;
 * - any other status → not retryable `VENDOR_REJECTED`.
 *
 * @throws ValidationError for a malformed URL, a timeout that is not > 0 or an empty name.
 * @example
 * const sms = createHttpVendorChannel({ name: 'sms', url: 'http://127.0.0.1:3000/vendor/send' });
 * const crm = createMiniCrm({ channels: [sms] });
 */
export function createHttpVendorChannel(options: HttpVendorChannelOptions): Channel {
  const problems: Problem[] = [];
  let url = '';
  try {
    const parsed = new URL(String(options.url));
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      problems.push({ path: ['url'], code: 'invalid_option', message: 'must be an http(s) URL' });
    }
    url = parsed.href;
  } catch {
    problems.push({ path: ['url'], code: 'invalid_option', message: 'must be an absolute URL' });
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    problems.push({ path: ['timeoutMs'], code: 'invalid_option', message: 'must be a number > 0' });
  }
  if (typeof options.name !== 'string' || options.name.trim() === '') {
    problems.push({ path: ['name'], code: 'invalid_option', message: 'must not be empty' });
  }
  if (problems.length > 0) throw new ValidationError('invalid HTTP vendor channel options', problems);
  const fetchFn = options.fetch ?? globalThis.fetch;

  async function send(message: OutboundMessage, context: SendContext): Promise<SendResult> {
    const request: VendorSendRequest = {
      to: message.to,
      body: message.body,
      deliveryId: message.deliveryId,
      campaignId: message.campaignId,
      customerId: message.customerId,
      attempt: context.attempt,
      idempotencyKey: context.idempotencyKey,
    };
    try {
      const response = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': context.idempotencyKey },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      if (response.ok) return parseAccepted(text);
      return rejectedForStatus(
        response.status,
        text,
        parseRetryAfter(response.headers.get('retry-after'), Date.now()),
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') {
        return {
          status: 'rejected',
          retryable: true,
          errorCode: 'VENDOR_TIMEOUT',
          error: `vendor did not answer within ${timeoutMs} ms`,
        };
      }
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
      const detail = error instanceof Error ? error.message : String(error);
      return {
        status: 'rejected',
        retryable: true,
        errorCode: 'VENDOR_UNREACHABLE',
        error: `vendor unreachable: ${cause === undefined ? detail : `${detail} (${cause})`}`,
      };
    }
  }

  return {
    name: options.name,
    reportsOutcomes: true,
    ...(options.address === undefined ? {} : { address: options.address }),
    send,
  };
}
