/**
 * `POST /api/receipts`: the delivery-receipt webhook. The `x-minicrm-signature` header is checked
 * over the raw body bytes before the JSON is even parsed; then core's batched ingestion applies the
 * receipts (deduplicated by receipt id, so a re-posted callback is harmless) and the route answers
 * 202 once they are stored.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.js';
import { HttpError } from '../plugins/http-error.js';
import { SIGNATURE_HEADER, verifyReceiptSignature } from '../receipts/signature.js';
import { errorResponses, validatedByCore } from '../schemas/common.js';

const receiptDoc = z.strictObject({
  id: z.string().describe('Receipt id: a receipt seen before is ignored'),
  deliveryId: z.string().optional().describe('MiniCRM delivery id (or give vendorMessageId)'),
  vendorMessageId: z.string().optional(),
  status: z.enum(['SENT', 'DELIVERED', 'FAILED', 'bounced', 'opened', 'clicked']).describe('Any letter case'),
  at: z.union([z.string(), z.number()]).describe('ISO 8601 or epoch milliseconds'),
  attempt: z.number().int().min(1).optional(),
  errorCode: z.string().optional(),
  error: z.string().optional(),
  retryable: z.boolean().optional(),
  retryAfterMs: z.number().min(0).optional(),
});
const receiptSchema = validatedByCore(receiptDoc, 'A delivery receipt');

const resultSchema = z.object({
  received: z.number().int(),
  applied: z.number().int().describe('Receipts that moved a delivery'),
  duplicates: z.number().int().describe('Receipt ids seen before'),
  stale: z.number().int().describe('Late receipts that could not move their delivery backwards'),
  unmatched: z.number().int().describe('Receipts for no known delivery'),
});

/** Options of {@link receiptRoutes}. */
export interface ReceiptRoutesOptions {
  readonly config: Config;
}

/** The receipt webhook, authenticated by HMAC signature instead of a bearer token. */
export const receiptRoutes: FastifyPluginAsyncZod<ReceiptRoutesOptions> = async (app, { config }) => {
  const secret = config.receiptSecret.value;
  // In this scope only: JSON bodies are checked against their signature as raw bytes, then parsed.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
    const header = request.headers[SIGNATURE_HEADER];
    const problem = verifyReceiptSignature(secret, Array.isArray(header) ? header[0] : header, raw as Buffer);
    if (problem === 'missing') {
      done(new HttpError(401, 'MISSING_SIGNATURE', `missing ${SIGNATURE_HEADER} header`), undefined);
      return;
    }
    if (problem !== null) {
      done(new HttpError(401, 'BAD_SIGNATURE', `bad ${SIGNATURE_HEADER} header (${problem})`), undefined);
      return;
    }
    try {
      done(null, JSON.parse((raw as Buffer).toString('utf8')));
    } catch {
      done(new HttpError(400, 'MALFORMED_JSON', 'the body is not valid JSON'), undefined);
    }
  });

  const rateLimit =
    config.rateLimit.receipts > 0 ? { max: config.rateLimit.receipts, timeWindow: '1 minute' } : false;

  app.post(
    '/receipts',
    {
      config: { rateLimit },
      schema: {
        tags: ['receipts'],
        summary: 'Delivery receipts from a vendor: one, an array, or { receipts: [...] }; HMAC-signed',
        description: `Sign the exact body bytes: \`${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256("<t>.<body>", RECEIPT_SECRET)>\`. A missing or bad signature answers 401; an invalid receipt refuses the whole request with 400 and applies nothing.`,
        security: [{ receiptSignature: [] }],
        body: z.union([
          z.strictObject({ receipts: z.array(receiptSchema).min(1).max(10_000) }),
          z.array(receiptSchema).min(1).max(10_000),
          receiptSchema,
        ]),
        response: { 202: resultSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await app.crm.receipts.ingest(request.body);
      return reply.code(202).send({
        received: result.outcomes.length,
        applied: result.applied,
        duplicates: result.duplicates,
        stale: result.stale,
        unmatched: result.unmatched,
      });
    },
  );
};
