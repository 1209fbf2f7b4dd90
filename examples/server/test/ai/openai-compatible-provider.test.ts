import type { ServerResponse } from 'node:http';
import { createFieldCatalog, ValidationError } from '@minicrm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { AiProviderError } from '../../src/ai/ai-provider.js';
import { createAiProvider } from '../../src/ai/create-ai-provider.js';
import { createOpenAiCompatibleProvider } from '../../src/ai/openai-compatible-provider.js';
import {
  closedPortUrl,
  type ScriptedServer,
  startScriptedServer,
} from '../vendor/support/scripted-server.js';

const API_KEY = 'sk-test-0123456789abcdef';
const MODEL = 'test-model-1';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A chat-completions server answering every request with `content` (or a custom answer). */
async function chatServer(answer: string | ((response: ServerResponse) => void)): Promise<ScriptedServer> {
  const server = await startScriptedServer((_request, response) => {
    if (typeof answer !== 'string') return answer(response);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model: MODEL,
        choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
      }),
    );
  });
  servers.push(server);
  return server;
}

function provider(server: ScriptedServer, timeoutMs = 2000) {
  return createOpenAiCompatibleProvider({
    baseUrl: `${server.url}/v1/`,
    apiKey: API_KEY,
    model: MODEL,
    timeoutMs,
  });
}

async function failure(promise: Promise<unknown>): Promise<AiProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AiProviderError);
  return error as AiProviderError;
}

const THREE = [
  'Hi {{ customer.firstName }}, we miss you! Here is 20% off.',
  'Dear {{ customer.name }}, come back for 20% off your next order.',
  '{{ customer.firstName }}, your 20% off expires Sunday.',
];

describe('OpenAI-compatible provider', () => {
  it('posts a chat-completions request and returns the variants', async () => {
    const server = await chatServer(JSON.stringify(THREE));
    const result = await provider(server).suggestMessages({
      objective: 'Win back lapsed customers with 20% off',
      tone: 'urgent',
      channel: 'sms',
    });
    expect(result).toEqual({ provider: 'openai-compatible', variants: THREE.map((text) => ({ text })) });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/chat/completions' });
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request?.body ?? '') as {
      model: string;
      temperature: number;
      messages: { role: string; content: string }[];
    };
    expect(body.model).toBe(MODEL);
    expect(typeof body.temperature).toBe('number');
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(body.messages[0]?.content).toMatch(/JSON array of exactly 3 strings/);
    expect(body.messages[1]?.content).toContain('Win back lapsed customers with 20% off');
    expect(body.messages[1]?.content).toContain('urgent');
  });

  it('sends no Authorization header without an API key', async () => {
    const server = await chatServer(JSON.stringify(THREE));
    await createOpenAiCompatibleProvider({ baseUrl: server.url, model: MODEL }).suggestMessages({
      objective: 'x',
    });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('reads JSON inside a code fence, and objects with a variants array', async () => {
    const fenced = await chatServer(
      `Here you go:\n\`\`\`json\n${JSON.stringify(THREE, null, 2)}\n\`\`\`\nEnjoy!`,
    );
    expect((await provider(fenced).suggestMessages({ objective: 'x' })).variants).toHaveLength(3);
    const wrapped = await chatServer(JSON.stringify({ variants: THREE.map((text) => ({ text })) }));
    expect((await provider(wrapped).suggestMessages({ objective: 'x' })).variants.map((v) => v.text)).toEqual(
      THREE,
    );
  });

  it('falls back to one variant per line when the answer is not JSON', async () => {
    const server = await chatServer(`1. "${THREE[0]}"\n2. "${THREE[1]}"\n\n- ${THREE[2]}`);
    expect((await provider(server).suggestMessages({ objective: 'x' })).variants.map((v) => v.text)).toEqual(
      THREE,
    );
  });

  it('drops invalid and too-long variants, and keeps the valid ones', async () => {
    const server = await chatServer(
      JSON.stringify([
        THREE[0],
        'Hi {{ customer.nickname }}, unknown variable',
        'Hi {% if %} broken',
        `Hi {{ customer.name }}, ${'very '.repeat(40)}long`,
        THREE[1],
        THREE[0],
      ]),
    );
    const result = await provider(server).suggestMessages({ objective: 'x', channel: 'sms' });
    expect(result.variants.map((v) => v.text)).toEqual([THREE[0], THREE[1]]);
  });

  it('allows declared custom attributes when given the catalog', async () => {
    const text = 'Hi {{ customer.firstName }}, your {{ customer.attributes.tier }} perks await.';
    const server = await chatServer(JSON.stringify([text, THREE[0]]));
    const catalog = createFieldCatalog({ attributes: [{ name: 'tier', type: 'string' }] });
    const withCatalog = createOpenAiCompatibleProvider({ baseUrl: server.url, model: MODEL, catalog });
    expect((await withCatalog.suggestMessages({ objective: 'x' })).variants[0]?.text).toBe(text);
    const error = await failure(provider(server).suggestMessages({ objective: 'x' }));
    expect(error.code).toBe('AI_PROVIDER_BAD_RESPONSE');
  });

  it('maps HTTP 500 to AI_PROVIDER_FAILED (502), quoting the upstream message briefly', async () => {
    const server = await chatServer((response) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `The server had an error ${'!'.repeat(400)}` } }));
    });
    const error = await failure(provider(server).suggestMessages({ objective: 'x' }));
    expect(error).toMatchObject({ code: 'AI_PROVIDER_FAILED', statusCode: 502, expose: true });
    expect(error.message).toMatch(/^AI provider answered HTTP 500: The server had an error/);
    expect(error.message.length).toBeLessThan(260);
  });

  it('maps HTTP 401 to AI_PROVIDER_FAILED without repeating the API key', async () => {
    const server = await chatServer((response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY}.` } }));
    });
    const error = await failure(provider(server).suggestMessages({ objective: 'x' }));
    expect(error).toMatchObject({ code: 'AI_PROVIDER_FAILED', statusCode: 502 });
    expect(error.message).toContain('HTTP 401');
    expect(error.message).not.toContain(API_KEY);
    expect(error.message).not.toContain('sk-test');
  });

  it('maps a body that is not chat-completions JSON to AI_PROVIDER_BAD_RESPONSE', async () => {
    const html = await chatServer((response) => response.writeHead(200).end('<html>gateway</html>'));
    expect(await failure(provider(html).suggestMessages({ objective: 'x' }))).toMatchObject({
      code: 'AI_PROVIDER_BAD_RESPONSE',
      statusCode: 502,
    });
    const noChoices = await chatServer((response) => response.writeHead(200).end('{"choices":[]}'));
    expect((await failure(provider(noChoices).suggestMessages({ objective: 'x' }))).code).toBe(
      'AI_PROVIDER_BAD_RESPONSE',
    );
  });

  it('maps malformed JSON content with fewer than two usable variants to AI_PROVIDER_BAD_RESPONSE', async () => {
    const server = await chatServer('["Hi {{ customer.firstName }}, only one", {"broken": ');
    const error = await failure(provider(server).suggestMessages({ objective: 'x' }));
    expect(error).toMatchObject({ code: 'AI_PROVIDER_BAD_RESPONSE', statusCode: 502 });
    expect(error.message).toMatch(/usable messages? \(2 needed\)/);
  });

  it('times out on a server that never answers, within timeoutMs', async () => {
    const server = await chatServer(() => {
      // never answers
    });
    const started = Date.now();
    const error = await failure(provider(server, 150).suggestMessages({ objective: 'x' }));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ code: 'AI_PROVIDER_TIMEOUT', statusCode: 504 });
    expect(error.message).toBe('AI provider did not answer within 150 ms');
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1500);
  });

  it('stops when the caller aborts', async () => {
    const server = await chatServer(() => {
      // never answers
    });
    const controller = new AbortController();
    const pending = provider(server, 5000).suggestMessages({ objective: 'x' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(await failure(pending)).toMatchObject({
      code: 'AI_PROVIDER_TIMEOUT',
      message: 'AI request was aborted',
    });
  });

  it('maps an unreachable server to AI_PROVIDER_FAILED', async () => {
    const ai = createOpenAiCompatibleProvider({ baseUrl: await closedPortUrl(), model: MODEL });
    const error = await failure(ai.suggestMessages({ objective: 'x' }));
    expect(error).toMatchObject({ code: 'AI_PROVIDER_FAILED', statusCode: 502 });
    expect(error.message).toBe('could not reach the AI provider (ECONNREFUSED)');
  });
});

describe('provider options', () => {
  it('refuses a bad base URL, an empty model and a bad timeout, naming each', () => {
    try {
      createOpenAiCompatibleProvider({ baseUrl: 'ftp://x', model: ' ', timeoutMs: -1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems.map((p) => p.path[0])).toEqual([
        'baseUrl',
        'model',
        'timeoutMs',
      ]);
    }
  });
});

describe('createAiProvider', () => {
  it('is offline unless both base URL and model are set', async () => {
    expect(createAiProvider().name).toBe('offline');
    expect(createAiProvider({ baseUrl: 'http://127.0.0.1:1/v1' }).name).toBe('offline');
    expect(createAiProvider({ model: MODEL, apiKey: API_KEY }).name).toBe('offline');
    expect(createAiProvider({ baseUrl: ' ', model: MODEL }).name).toBe('offline');
  });

  it('is OpenAI-compatible with base URL and model, with or without a key', async () => {
    const server = await chatServer(JSON.stringify(THREE));
    const ai = createAiProvider({ baseUrl: server.url, model: MODEL, timeoutMs: 1000 });
    expect(ai.name).toBe('openai-compatible');
    expect((await ai.suggestMessages({ objective: 'x' })).provider).toBe('openai-compatible');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });
});
