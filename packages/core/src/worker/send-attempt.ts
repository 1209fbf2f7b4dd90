import { attemptKey } from '../delivery/id.js';
import type { Delivery } from '../domain/delivery.js';
import type { Channel, SendResult } from '../ports/channel.js';
import { PermanentSendError } from '../retry/retry-policy.js';

/** A thrown error as a rejection: {@link PermanentSendError} is not retryable, anything else is. */
function rejectedBy(error: unknown): SendResult {
  const permanent = error instanceof PermanentSendError;
  return {
    status: 'rejected',
    retryable: !permanent,
    errorCode: permanent ? 'PERMANENT' : 'CHANNEL_ERROR',
    error: error instanceof Error ? error.message : String(error),
  };
}

/**
 * Calls the channel for the delivery's current attempt with its idempotency key. A thrown
 * {@link PermanentSendError} becomes a non-retryable rejection; any other throw a retryable one.
 * (Not an async function: it runs once per message, and the extra promises an `async` wrapper
 * allocates show up on large campaigns.)
 */
export function sendAttempt(channel: Channel, delivery: Delivery): Promise<SendResult> {
  try {
    return channel
      .send(
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
      )
      .then(undefined, rejectedBy);
  } catch (error) {
    return Promise.resolve(rejectedBy(error));
  }
}
