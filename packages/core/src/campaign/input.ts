import { z } from 'zod';
import type { RetrySettings } from '../domain/campaign.js';
import { TEMPLATE_LIMITS } from '../template/limits.js';
import { entityIdSchema } from '../util/id-schema.js';

/** What `campaigns.create` accepts. Exactly one of `segmentId` / `rules` gives the audience. */
export interface CampaignInput {
  /** Your own id; generated (`cmp_…`) when absent. */
  readonly id?: string;
  readonly name: string;
  /** A saved segment; its rules are copied into the campaign at launch. */
  readonly segmentId?: string;
  /** An inline rule tree. */
  readonly rules?: unknown;
  /** A registered channel name, e.g. `sms`. */
  readonly channel: string;
  /** Liquid template, e.g. `Hi {{ customer.name }}!`. Unknown variables are refused here. */
  readonly template: string;
  /** Start later; ISO 8601 string or Date. Launching before then schedules the campaign. */
  readonly sendAt?: string | Date;
  /** Most messages per second across all workers. */
  readonly throttlePerSecond?: number;
  /** Overrides of the engine's retry policy. */
  readonly retry?: RetrySettings;
}

/** Shape check of {@link CampaignInput}; cross-field and catalog checks happen in `createCampaign`. */
export const campaignInputSchema = z
  .object({
    id: entityIdSchema.optional(),
    name: z.string().trim().min(1, 'must not be empty').max(200),
    segmentId: z.string().min(1).optional(),
    rules: z.unknown().optional(),
    channel: z.string().min(1, 'must not be empty'),
    template: z.string().min(1, 'must not be empty').max(TEMPLATE_LIMITS.maxSourceLength),
    sendAt: z.unknown().optional(),
    throttlePerSecond: z.number().positive().max(1_000_000).optional(),
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(100).optional(),
        baseDelayMs: z.number().min(0).max(86_400_000).optional(),
        maxDelayMs: z.number().min(0).max(86_400_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
