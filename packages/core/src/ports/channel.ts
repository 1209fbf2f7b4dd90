import type { Customer } from '../domain/customer.js';
import type { Receipt } from '../domain/receipt.js';

/** The message a channel is asked to send. */
export interface OutboundMessage {
  readonly deliveryId: string;
  readonly campaignId: string;
  readonly customerId: string;
  /** Address on this channel (phone, email, …). */
  readonly to: string;
  /** Rendered message body. */
  readonly body: string;
}

/** Per-attempt context of a send. */
export interface SendContext {
  /**
   * Unique per (delivery, round, attempt). A channel must not send twice for the same key: a repeated
   * call with a key it has seen returns the first call's result.
   */
  readonly idempotencyKey: string;
  /** Attempt number in the round, 1-based. */
  readonly attempt: number;
}

/** The vendor took the message. */
export interface SendAccepted {
  readonly status: 'accepted';
  /** Vendor's id for this message, used to match later receipts. */
  readonly vendorMessageId?: string | undefined;
  /** The vendor already confirmed delivery. @default false */
  readonly delivered?: boolean | undefined;
}

/** The vendor refused the message. */
export interface SendRejected {
  readonly status: 'rejected';
  /** May the same message be tried again later? Invalid addresses and opt-outs are not retryable. */
  readonly retryable: boolean;
  readonly errorCode?: string | undefined;
  readonly error?: string | undefined;
  /** The vendor asks to wait this long before retrying. */
  readonly retryAfterMs?: number | undefined;
}

/** The outcome of one send attempt. */
export type SendResult = SendAccepted | SendRejected;

/** A receipt as parsed from a provider's webhook body, before validation. */
export type ReceiptInput = Omit<Receipt, 'at'> & { readonly at: Date | string };

/** A way of sending messages (SMS, email, or your own). */
export interface Channel {
  /** Channel name campaigns refer to, e.g. `sms`. */
  readonly name: string;
  /**
   * The customer's address on this channel, or `null` if they cannot be reached. Defaults: `sms` →
   * `phone`, `email` → `email`, others → `null` (custom channels must implement it).
   */
  address?(customer: Customer): string | null;
  /**
   * True when the channel reports the outcome of every accepted message later, as a `DELIVERED` or
   * `FAILED` receipt (like the simulator in asynchronous mode). A campaign on such a channel counts
   * its `sent` deliveries as still in progress: it completes only once every outcome is known, so a
   * `FAILED` outcome still gets the retry policy. Leave it unset for vendors that may never report
   * (a campaign would then wait for receipts that never come). @default false
   */
  readonly reportsOutcomes?: boolean;
  /** Sends one message attempt. Throwing counts as a retryable rejection. */
  send(message: OutboundMessage, context: SendContext): Promise<SendResult>;
  /** Turns a provider webhook body into receipts, for providers with their own format. */
  parseReceipt?(body: unknown): ReceiptInput[];
  /**
   * For channels that report receipts in-process (like the simulator in asynchronous mode): the
   * engine calls this once with a sink that ingests receipts.
   */
  connect?(sink: (receipts: ReceiptInput[]) => Promise<void>): void;
}
