/**
 * `POST /suggest-messages`: AI message suggestions. Registered by the app under `/api/ai`.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AiProvider } from './ai-provider.js';
import { suggestMessagesBodySchema, suggestMessagesResponseSchema } from './ai-schemas.js';

/** Options of {@link aiRoutes}. */
export interface AiRoutesOptions {
  /** Writes the suggestions (see `createAiProvider`). */
  readonly provider: AiProvider;
}

/**
 * Fastify plugin of the AI routes. It needs the zod validator and serializer compilers of
 * `fastify-type-provider-zod` on the app. Provider failures are thrown as `AiProviderError`
 * (`statusCode` 502 or 504, a stable `code`, `expose: true`) for the app's error handler; a
 * client that disconnects aborts the provider's request.
 *
 * @example
 * app.register(aiRoutes, { prefix: '/api/ai', provider: createAiProvider(config.ai) });
 */
export const aiRoutes: FastifyPluginAsyncZod<AiRoutesOptions> = async (app, options) => {
  const { provider } = options;
  app.post(
    '/suggest-messages',
    {
      schema: {
        tags: ['ai'],
        summary: 'Suggest message templates for a campaign objective',
        description:
          'Answers 2–3 message variants, each a valid MiniCRM Liquid template. Written offline from ' +
          'templates by default, or by an OpenAI-compatible model when AI_BASE_URL and AI_MODEL are set. ' +
          'Provider failures answer 502 (AI_PROVIDER_FAILED, AI_PROVIDER_BAD_RESPONSE) or 504 (AI_PROVIDER_TIMEOUT).',
        body: suggestMessagesBodySchema,
        response: { 200: suggestMessagesResponseSchema },
      },
    },
    async (request, reply) => {
      // The response closing before it was written means the client went away: stop asking.
      const controller = new AbortController();
      const abort = () => {
        if (!reply.raw.writableFinished) controller.abort();
      };
      reply.raw.once('close', abort);
      try {
        const result = await provider.suggestMessages(request.body, { signal: controller.signal });
        return { provider: result.provider, variants: result.variants.map((v) => ({ text: v.text })) };
      } finally {
        reply.raw.off('close', abort);
      }
    },
  );
};
