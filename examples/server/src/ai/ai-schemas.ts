/**
 * Wire format of `POST /api/ai/suggest-messages`.
 */
import { z } from 'zod';
import { SUGGEST_CHANNELS, SUGGEST_TONES } from './ai-provider.js';

/** Body of `POST /api/ai/suggest-messages`. Unknown keys are refused. */
export const suggestMessagesBodySchema = z
  .strictObject({
    objective: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(500, { error: 'must be at most 500 characters' })
      .describe('What the campaign should achieve, in plain words'),
    tone: z
      .enum(SUGGEST_TONES, { error: `must be one of ${SUGGEST_TONES.join(', ')}` })
      .optional()
      .describe('Tone of the messages (default friendly)'),
    channel: z
      .enum(SUGGEST_CHANNELS, { error: `must be one of ${SUGGEST_CHANNELS.join(', ')}` })
      .optional()
      .describe('Channel the messages are for (default sms: at most 160 characters each)'),
  })
  .describe('What to write messages for');

/** A request for message suggestions. */
export type SuggestMessagesBody = z.infer<typeof suggestMessagesBodySchema>;

/** Answer of `POST /api/ai/suggest-messages`. */
export const suggestMessagesResponseSchema = z
  .object({
    provider: z.string().describe('Provider that wrote the variants: offline or openai-compatible'),
    variants: z
      .array(
        z.object({
          text: z.string().describe('A message template, e.g. "Hi {{ customer.firstName }}, …"'),
        }),
      )
      .min(2)
      .max(3)
      .describe('Two or three variants, each a valid MiniCRM template'),
  })
  .describe('Suggested messages');

/** Suggested messages, as answered. */
export type SuggestMessagesResponse = z.infer<typeof suggestMessagesResponseSchema>;
