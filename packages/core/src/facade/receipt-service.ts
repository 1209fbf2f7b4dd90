import type { EngineContext } from '../engine/context.js';
import { ValidationError } from '../errors.js';
import type { ReceiptOutcome, ReceiptProcessor } from '../receipt/receipt-processor.js';
import { parseReceipts } from '../receipt/schema.js';

/** What `receipts.ingest` did. */
export interface ReceiptIngestResult {
  /** One outcome per receipt, in input order. */
  readonly outcomes: readonly ReceiptOutcome[];
  readonly applied: number;
  readonly duplicates: number;
  readonly stale: number;
  readonly unmatched: number;
}

/** Delivery receipts: the callback side of channels. */
export class ReceiptService {
  constructor(
    private readonly ctx: EngineContext,
    private readonly processor: ReceiptProcessor,
  ) {}

  /**
   * Validates and applies receipts (one, an array, or `{ receipts: [...] }`). Resolves once they
   * are stored, so a webhook may acknowledge after awaiting it. Duplicates (same receipt id) and
   * late receipts change nothing. Invalid input throws `ValidationError` and applies nothing.
   */
  async ingest(input: unknown): Promise<ReceiptIngestResult> {
    const receipts = parseReceipts(input);
    const outcomes = await this.processor.submit(receipts);
    const count = (o: ReceiptOutcome) => outcomes.filter((x) => x === o).length;
    return {
      outcomes,
      applied: count('applied'),
      duplicates: count('duplicate'),
      stale: count('stale'),
      unmatched: count('unmatched'),
    };
  }

  /** Parses a provider's webhook body with its channel's `parseReceipt`, then ingests the receipts. */
  async ingestFromChannel(channelName: string, body: unknown): Promise<ReceiptIngestResult> {
    const channel = this.ctx.channels.get(channelName);
    if (channel === undefined) {
      throw new ValidationError('invalid receipt webhook', [
        { path: ['channel'], code: 'unknown_channel', message: `channel "${channelName}" is not registered` },
      ]);
    }
    if (channel.parseReceipt === undefined) return this.ingest(body);
    return this.ingest(channel.parseReceipt(body));
  }

  /** Applies receipts waiting for their batch now. */
  flush(): Promise<void> {
    return this.processor.flush();
  }
}
