/** Campaign, stats and delivery schemas, and the conversion of core records to the API view. */
import {
  CAMPAIGN_STATES,
  type Campaign,
  type CampaignState,
  type CampaignStats,
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryStatus,
} from '@minicrm/core';
import { z } from 'zod';
import { rulesInputSchema, rulesSchema } from './segment.js';

const campaignStates = CAMPAIGN_STATES as [CampaignState, ...CampaignState[]];
const deliveryStatus = z.enum(DELIVERY_STATUSES as [DeliveryStatus, ...DeliveryStatus[]]);

const retrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(100).optional().describe('Attempts in all (default 3)'),
  baseDelayMs: z.number().min(0).max(86_400_000).optional(),
  maxDelayMs: z.number().min(0).max(86_400_000).optional(),
});

/** A campaign's live statistics: one count per delivery status, plus attempts and engagement. */
export const statsSchema = z
  .object({
    audience: z.number().int().describe('Customers matched at launch'),
    total: z.number().int().describe('Deliveries; the status counts sum to it'),
    pending: z.number().int(),
    queued: z.number().int(),
    sending: z.number().int(),
    sent: z.number().int(),
    delivered: z.number().int(),
    failed: z.number().int(),
    retrying: z.number().int(),
    skipped: z.number().int(),
    cancelled: z.number().int(),
    attempts: z.number().int().describe('Send attempts made, all rounds'),
    retries: z.number().int(),
    opened: z.number().int(),
    clicked: z.number().int(),
  })
  .meta({ id: 'CampaignStats' });

/** A campaign with its `status` and `stats`. */
export const campaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(campaignStates),
    segmentId: z.string().optional(),
    rules: rulesSchema.describe('The audience; for a segment audience, copied from the segment at launch'),
    channel: z.string(),
    template: z.string(),
    sendAt: z.date().optional(),
    throttlePerSecond: z.number().optional(),
    retry: retrySchema.optional(),
    version: z.number().int(),
    error: z.string().optional(),
    createdAt: z.date(),
    updatedAt: z.date(),
    launchedAt: z.date().optional(),
    completedAt: z.date().optional(),
    stats: statsSchema,
  })
  .meta({ id: 'Campaign' });

/** `POST /api/campaigns` body: exactly one of `segmentId` and `rules`. */
export const campaignCreateSchema = z.strictObject({
  id: z.string().min(1).max(200).optional().describe('Your own id; generated when absent'),
  name: z.string().min(1).max(200),
  segmentId: z.string().min(1).optional().describe('A saved segment (or give `rules`)'),
  rules: rulesInputSchema.optional().describe('An inline audience (or give `segmentId`)'),
  channel: z.string().min(1).describe('`sms`, `email` or another registered channel'),
  template: z.string().min(1).max(10_000).describe('Liquid, e.g. `Hi {{ customer.firstName }}!`'),
  sendAt: z.string().optional().describe('ISO 8601; launching before then schedules the campaign'),
  throttlePerSecond: z.number().positive().max(1_000_000).optional(),
  retry: retrySchema.optional(),
});

/** One entry of the communications log. */
export const deliverySchema = z
  .object({
    id: z.string(),
    campaignId: z.string(),
    customerId: z.string(),
    channel: z.string(),
    address: z.string().optional(),
    message: z.string(),
    status: deliveryStatus,
    round: z.number().int(),
    attempts: z.number().int().describe('Attempts in the current round'),
    totalAttempts: z.number().int(),
    vendorMessageId: z.string().optional(),
    lastError: z
      .object({ message: z.string(), code: z.string().optional(), retryable: z.boolean() })
      .optional(),
    skipReason: z.enum(['no_address', 'unsubscribed']).optional(),
    nextAttemptAt: z.date().optional(),
    createdAt: z.date(),
    updatedAt: z.date(),
    queuedAt: z.date().optional(),
    sendingAt: z.date().optional(),
    sentAt: z.date().optional(),
    deliveredAt: z.date().optional(),
    retryingAt: z.date().optional(),
    failedAt: z.date().optional(),
    skippedAt: z.date().optional(),
    cancelledAt: z.date().optional(),
    openedAt: z.date().optional(),
    clickedAt: z.date().optional(),
  })
  .meta({ id: 'Delivery' });

/** `GET /api/campaigns/:id/deliveries` query. */
export const deliveryQuerySchema = z.strictObject({
  status: z
    .string()
    .optional()
    .describe(`Only these statuses, comma-separated: ${DELIVERY_STATUSES.join(', ')}`)
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const list = value.split(',').map((s) => s.trim());
      const bad = list.filter((s) => !(DELIVERY_STATUSES as readonly string[]).includes(s));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown status ${bad.map((b) => `"${b}"`).join(', ')}; one of ${DELIVERY_STATUSES.join(', ')}`,
        });
        return z.NEVER;
      }
      return list as DeliveryStatus[];
    }),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().min(1).max(2000).optional(),
});

/** `POST /api/campaigns/:id/test-send` body. */
export const testSendBodySchema = z.strictObject({
  customerId: z.string().min(1).describe('Render the message for this customer'),
  to: z.string().min(1).optional().describe("Send to this address instead of the customer's own"),
});

/** `POST /api/campaigns/:id/test-send` answer. */
export const testSendSchema = z.object({
  channel: z.string(),
  to: z.string(),
  message: z.string(),
  status: z.enum(['accepted', 'rejected']),
  vendorMessageId: z.string().optional(),
  errorCode: z.string().optional(),
  error: z.string().optional(),
});

/** Core's stats in the API's flat shape. */
export function toStatsView(stats: CampaignStats): z.input<typeof statsSchema> {
  return {
    audience: stats.audienceSize,
    total: stats.total,
    ...stats.byStatus,
    attempts: stats.attempts,
    retries: stats.retries,
    opened: stats.opened,
    clicked: stats.clicked,
  };
}

/** A campaign with its status and stats, as the API returns it. */
export function toCampaignView(campaign: Campaign, stats: CampaignStats): z.output<typeof campaignSchema> {
  const { state, launch: _launch, audienceSize: _audience, ...rest } = campaign;
  return { ...rest, status: state, stats: toStatsView(stats) };
}

/** A delivery as the API returns it. */
export function toDeliveryView(delivery: Delivery): z.output<typeof deliverySchema> {
  return delivery as z.output<typeof deliverySchema>;
}
