import type { Delivery } from '../domain/delivery.js';
import type { EngineContext } from '../engine/context.js';

/** Publishes `delivery.updated` for each changed delivery (`null` entries are skipped). */
export async function publishDeliveryUpdates(
  ctx: EngineContext,
  deliveries: readonly (Delivery | null)[],
): Promise<void> {
  const at = ctx.clock.now();
  try {
    await Promise.all(
      deliveries.map((d) =>
        d === null
          ? undefined
          : ctx.bus.publish('delivery.updated', {
              campaignId: d.campaignId,
              deliveryId: d.id,
              customerId: d.customerId,
              status: d.status,
              attempts: d.attempts,
              at,
            }),
      ),
    );
  } catch (error) {
    ctx.logger.warn({ err: error }, 'could not publish delivery updates');
  }
}
