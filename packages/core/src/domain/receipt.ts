/** What a vendor reports about one delivery attempt. */
export type ReceiptStatus = 'SENT' | 'DELIVERED' | 'FAILED' | 'bounced' | 'opened' | 'clicked';

/** Every receipt status. */
export const RECEIPT_STATUSES: readonly ReceiptStatus[] = [
  'SENT',
  'DELIVERED',
  'FAILED',
  'bounced',
  'opened',
  'clicked',
];

/** A validated delivery receipt. Receipts carry their own id; a duplicate id is ignored. */
export interface Receipt {
  /** The receipt's own id (the vendor's event id). */
  readonly id: string;
  /** The delivery it is about. One of `deliveryId` / `vendorMessageId` is required. */
  readonly deliveryId?: string | undefined;
  /** The vendor's message id, as returned by the channel on send. */
  readonly vendorMessageId?: string | undefined;
  readonly status: ReceiptStatus;
  /** When the vendor observed it. */
  readonly at: Date;
  /** The attempt it reports on; when absent, the delivery's current attempt. */
  readonly attempt?: number | undefined;
  readonly errorCode?: string | undefined;
  readonly error?: string | undefined;
  /** For `FAILED`: may the message be retried? @default true */
  readonly retryable?: boolean | undefined;
  /** For `FAILED`: the vendor asks to wait this long before retrying. */
  readonly retryAfterMs?: number | undefined;
}
