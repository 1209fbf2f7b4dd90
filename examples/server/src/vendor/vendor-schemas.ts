/**
 * Wire format of the vendor simulator's `POST /vendor/send`: what a channel posts and what the
 * vendor answers when it takes the message.
 */
import { z } from 'zod';

const id = (what: string) =>
  z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .max(200, { error: 'must be at most 200 characters' })
    .describe(what);

/** Body of `POST /vendor/send`. Unknown keys are refused. */
export const vendorSendRequestSchema = z
  .strictObject({
    to: z
      .string({ error: 'must be a string' })
      .min(1, { error: 'must not be empty' })
      .max(320, { error: 'must be at most 320 characters' })
      .describe('Address on the channel (phone number, email address, …)'),
    body: z
      .string({ error: 'must be a string' })
      .max(10_000, { error: 'must be at most 10000 characters' })
      .describe('Rendered message text'),
    deliveryId: id('MiniCRM delivery id; every receipt for this message carries it'),
    campaignId: id('Campaign the message belongs to'),
    customerId: id('Recipient customer id'),
    attempt: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be an integer' })
      .min(1, { error: 'must be ≥ 1' })
      .describe('Attempt number of the delivery in its round, 1-based'),
    idempotencyKey: id('Unique per attempt: a repeated key returns the first answer and sends nothing more'),
  })
  .describe('A message for the vendor to send');

/** A message posted to `POST /vendor/send`. */
export type VendorSendRequest = z.infer<typeof vendorSendRequestSchema>;

/** Answer of `POST /vendor/send` (HTTP 202): the vendor took the message; its outcome comes later. */
export const vendorSendResponseSchema = z
  .object({
    vendorMessageId: z.string().describe("The vendor's id of the message; receipts carry it too"),
    status: z.literal('accepted').describe('Always `accepted`: the outcome arrives as a receipt callback'),
  })
  .describe('The vendor accepted the message');

/** The vendor's answer to a send it accepted. */
export type VendorSendResponse = z.infer<typeof vendorSendResponseSchema>;
