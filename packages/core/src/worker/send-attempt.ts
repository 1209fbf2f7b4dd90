import { attemptKey } from '../delivery/id.js';
import type { Delivery } from '../domain/delivery.js';
import type { Channel, SendResult } from '../ports/channel.js';
import { PermanentSendError } from '../retry/retry-policy.js';

/**
 * Calls the channel for the delivery's current attempt with its idempotency key. A thrown
 * {@link PermanentSendError} becomes a non-retryable rejection; any other throw a retryable one.
 */
export async function sendAttempt(channel: Channel, delivery: Delivery): Promise<SendResult> {
  try {
    return await channel.send(
      {
        deliveryId: delivery.id,
        campaignId: delivery.campaignId,
        customerId: delivery.customerId,
        to: delivery.address ?? '',
        body: delivery.message,
      },
      {
        idempotencyKey: attemptKey(delivery.id, delivery.round, delivery.attempts),
        attempt: delivery.attempts,
      },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      status: 'rejected',
      retryable: !(error instanceof PermanentSendError),
      errorCode: error instanceof PermanentSendError ? 'PERMANENT' : 'CHANNEL_ERROR',
      error: message,
    };
  }
}
