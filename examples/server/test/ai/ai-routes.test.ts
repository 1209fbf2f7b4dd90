import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { type AiProvider, AiProviderError, type SuggestInput } from '../../src/ai/ai-provider.js';
import { aiRoutes } from '../../src/ai/ai-routes.js';
import { createOfflineProvider } from '../../src/ai/offline-provider.js';
import { createOpenAiCompatibleProvider } from '../../src/ai/openai-compatible-provider.js';
import { type ScriptedServer, startScriptedServer } from '../vendor/support/scripted-server.js';

const apps: FastifyInstance[] = [];
const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const server of servers.splice(0)) await server.close();
});

async function build(provider: AiProvider): Promise<FastifyInstance> {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(aiRoutes, { prefix: '/api/ai', provider });
  apps.push(app);
  return app;
}

/** Records what the route hands the provider, answering like the offline one. */
function recording(): AiProvider & { inputs: SuggestInput[] } {
  const offline = createOfflineProvider();
  const inputs: SuggestInput[] = [];
  return {
    name: 'recording',
    inputs,
    suggestMessages(input, options) {
      inputs.push(input);
      return offline.suggestMessages(input, options);
    },
  };
}

const suggest = (app: FastifyInstance, payload: unknown) =>
  app.inject({ method: 'POST', url: '/api/ai/suggest-messages', payload: payload as object });

describe('POST /api/ai/suggest-messages', () => {
  it('answers the variants of the offline provider', async () => {
    const app = await build(createOfflineProvider());
    const response = await suggest(app, { objective: 'Thank our VIP customers', tone: 'formal' });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { provider: string; variants: { text: string }[] };
    expect(body.provider).toBe('offline');
    expect(body.variants).toHaveLength(3);
    expect(body).toEqual(
      await createOfflineProvider().suggestMessages({ objective: 'Thank our VIP customers', tone: 'formal' }),
    );
  });

  it('trims the objective before the provider sees it', async () => {
    const provider = recording();
    const app = await build(provider);
    const response = await suggest(app, { objective: '  Launch day  ', channel: 'email' });
    expect(response.statusCode).toBe(200);
    expect(provider.inputs).toEqual([{ objective: 'Launch day', channel: 'email' }]);
  });

  it.each([
    ['no objective', {}],
    ['a blank objective', { objective: '   ' }],
    ['an objective over 500 characters', { objective: 'x'.repeat(501) }],
    ['an unknown tone', { objective: 'sale', tone: 'angry' }],
    ['an unknown channel', { objective: 'sale', channel: 'fax' }],
    ['an unknown key', { objective: 'sale', temperature: 2 }],
    ['a wrong type', { objective: 42 }],
  ])('refuses %s with 400 without calling the provider', async (_name, payload) => {
    const provider = recording();
    const app = await build(provider);
    const response = await suggest(app, payload);
    expect(response.statusCode).toBe(400);
    expect(provider.inputs).toEqual([]);
  });

  it('passes provider errors on with their status and code', async () => {
    const server = await startScriptedServer((_request, response) => response.writeHead(503).end('busy'));
    servers.push(server);
    const app = await build(createOpenAiCompatibleProvider({ baseUrl: server.url, model: 'm' }));
    const response = await suggest(app, { objective: 'sale' });
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({
      code: 'AI_PROVIDER_FAILED',
      message: 'AI provider answered HTTP 503: busy',
    });
  });

  it('maps a timeout to 504', async () => {
    const failing: AiProvider = {
      name: 'slow',
      async suggestMessages() {
        throw new AiProviderError('AI_PROVIDER_TIMEOUT', 'AI provider did not answer within 10 ms');
      },
    };
    const app = await build(failing);
    const response = await suggest(app, { objective: 'sale' });
    expect(response.statusCode).toBe(504);
    expect(response.json()).toMatchObject({ code: 'AI_PROVIDER_TIMEOUT' });
  });

  it('aborts the provider request when the client goes away', async () => {
    let aborted: Promise<void> | undefined;
    const waiting: AiProvider = {
      name: 'waiting',
      suggestMessages(_input, options) {
        aborted = new Promise<void>((resolve) => options?.signal?.addEventListener('abort', () => resolve()));
        return aborted.then(() => {
          throw new AiProviderError('AI_PROVIDER_TIMEOUT', 'AI request was aborted');
        });
      },
    };
    const app = await build(waiting);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const client = new AbortController();
    const request = fetch(`${address}/api/ai/suggest-messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ objective: 'sale' }),
      signal: client.signal,
    }).catch(() => undefined);
    await expect.poll(() => aborted !== undefined, { timeout: 2000, interval: 5 }).toBe(true);
    client.abort();
    await request;
    await expect(aborted).resolves.toBeUndefined();
  });
});
