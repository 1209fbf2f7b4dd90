/**
 * An AI provider on any OpenAI-compatible chat-completions API (OpenAI, Azure OpenAI, Ollama,
 * vLLM, LM Studio, …), enabled by `AI_BASE_URL`, `AI_API_KEY` and `AI_MODEL`.
 */
import { defaultFieldCatalog, type FieldCatalog, type Problem, ValidationError } from '@minicrm/core';
import { type AiProvider, AiProviderError, type SuggestInput, type SuggestResult } from './ai-provider.js';
import { parseVariants } from './parse-variants.js';
import { SMS_MAX_CHARS, suggestionProblem } from './suggestion-check.js';

/** Options of {@link createOpenAiCompatibleProvider}. */
export interface OpenAiCompatibleProviderOptions {
  /** API root, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`; `/chat/completions` is appended. */
  readonly baseUrl: string | URL;
  /** Sent as `Authorization: Bearer <apiKey>`; omit it for local servers that need none. */
  readonly apiKey?: string;
  /** Model name, e.g. `gpt-4o-mini`. */
  readonly model: string;
  /** Time limit of one request, answer included (ms). @default 10000 */
  readonly timeoutMs?: number;
  /** Sampling temperature. @default 0.7 */
  readonly temperature?: number;
  /** Catalog variants are checked against (custom attributes allowed in templates). @default core's default catalog */
  readonly catalog?: FieldCatalog;
  /** HTTP client. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Longest part of an upstream error quoted in an {@link AiProviderError} message. */
const EXCERPT_CHARS = 200;

const SYSTEM_PROMPT = [
  'You write short marketing messages for a CRM campaign.',
  'Each message is a Liquid template. Address the customer with {{ customer.firstName }} or {{ customer.name }};',
  'use no other variables, tags or placeholders. Plain text only, no emojis, no links.',
  'Answer with a JSON array of exactly 3 strings and nothing else.',
].join(' ');

function userPrompt(input: SuggestInput): string {
  const channel = input.channel ?? 'sms';
  const limit =
    channel === 'sms' ? `at most ${SMS_MAX_CHARS} characters each` : 'two or three sentences each';
  return [
    `Objective: ${input.objective}`,
    `Tone: ${input.tone ?? 'friendly'}`,
    `Channel: ${channel} (${limit})`,
    'Write 3 different messages.',
  ].join('\n');
}

/** A short, single-line excerpt of an upstream text with secrets removed. */
function excerpt(text: string, apiKey: string | undefined): string {
  let flat = text.replace(/\s+/g, ' ').trim();
  if (apiKey !== undefined && apiKey !== '') flat = flat.split(apiKey).join('[redacted]');
  flat = flat.replace(/\b(sk|pk|rk)-[A-Za-z0-9_*-]{6,}/g, '[redacted]');
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
}

/** The error message of an OpenAI-style error body (`{ error: { message } }`), else the raw text. */
function upstreamDetail(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: quote the text itself
  }
  return text;
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? ` (${cause.code})` : '';
}

/**
 * Creates a provider that asks a chat-completions endpoint for three variants as a JSON array,
 * reads them (code fences tolerated, else one per line), and keeps those that are valid templates
 * fitting the channel (at most three).
 *
 * Errors ({@link AiProviderError}): a non-2xx answer or an unreachable server → `AI_PROVIDER_FAILED`
 * (502, the status and a short redacted excerpt in the message); no answer within `timeoutMs` or an
 * aborted request → `AI_PROVIDER_TIMEOUT` (504); an answer that is not chat-completions JSON, or
 * with fewer than two usable variants → `AI_PROVIDER_BAD_RESPONSE` (502).
 *
 * @throws ValidationError for a malformed base URL, an empty model or a timeout that is not > 0.
 * @example
 * const ai = createOpenAiCompatibleProvider({
 *   baseUrl: 'https://api.openai.com/v1', apiKey: process.env.AI_API_KEY, model: 'gpt-4o-mini',
 * });
 */
export function createOpenAiCompatibleProvider(options: OpenAiCompatibleProviderOptions): AiProvider {
  const problems: Problem[] = [];
  const url = `${String(options.baseUrl).replace(/\/+$/, '')}/chat/completions`;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    problems.push({ path: ['baseUrl'], code: 'invalid_option', message: 'must be an absolute http(s) URL' });
  }
  if (typeof options.model !== 'string' || options.model.trim() === '') {
    problems.push({ path: ['model'], code: 'invalid_option', message: 'must not be empty' });
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    problems.push({ path: ['timeoutMs'], code: 'invalid_option', message: 'must be a number > 0' });
  }
  if (problems.length > 0) throw new ValidationError('invalid AI provider options', problems);
  const fetchFn = options.fetch ?? globalThis.fetch;
  const catalog = options.catalog ?? defaultFieldCatalog;
  const { apiKey } = options;

  async function call(input: SuggestInput, signal: AbortSignal | undefined): Promise<string> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
    let status: number;
    let text: string;
    try {
      const response = await fetchFn(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(apiKey === undefined || apiKey === '' ? {} : { authorization: `Bearer ${apiKey}` }),
        },
        body: JSON.stringify({
          model: options.model,
          messages: [
            { role: 'system', content: SYSTEM_PROMPT },
            { role: 'user', content: userPrompt(input) },
          ],
          temperature: options.temperature ?? 0.7,
        }),
        signal: combined,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (timeout.aborted) {
        throw new AiProviderError(
          'AI_PROVIDER_TIMEOUT',
          `AI provider did not answer within ${timeoutMs} ms`,
          {
            cause: error,
          },
        );
      }
      if (combined.aborted) {
        throw new AiProviderError('AI_PROVIDER_TIMEOUT', 'AI request was aborted', { cause: error });
      }
      throw new AiProviderError(
        'AI_PROVIDER_FAILED',
        `could not reach the AI provider${networkReason(error)}`,
        {
          cause: error,
        },
      );
    }
    if (status < 200 || status > 299) {
      const detail = excerpt(upstreamDetail(text), apiKey);
      throw new AiProviderError(
        'AI_PROVIDER_FAILED',
        `AI provider answered HTTP ${status}${detail === '' ? '' : `: ${detail}`}`,
      );
    }
    let content: unknown;
    try {
      content = (JSON.parse(text) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]
        ?.message?.content;
    } catch {
      throw new AiProviderError(
        'AI_PROVIDER_BAD_RESPONSE',
        'AI provider answered something that is not JSON',
      );
    }
    if (typeof content !== 'string' || content.trim() === '') {
      throw new AiProviderError(
        'AI_PROVIDER_BAD_RESPONSE',
        'AI provider answered without choices[0].message.content',
      );
    }
    return content;
  }

  return {
    name: 'openai-compatible',
    async suggestMessages(input, callOptions = {}): Promise<SuggestResult> {
      const content = await call(input, callOptions.signal);
      const channel = input.channel ?? 'sms';
      const seen = new Set<string>();
      const variants: { text: string }[] = [];
      for (const candidate of parseVariants(content)) {
        const text = candidate.trim();
        if (seen.has(text) || suggestionProblem(text, channel, catalog) !== null) continue;
        seen.add(text);
        variants.push({ text });
        if (variants.length === 3) break;
      }
      if (variants.length < 2) {
        throw new AiProviderError(
          'AI_PROVIDER_BAD_RESPONSE',
          `AI provider answered ${variants.length} usable message${variants.length === 1 ? '' : 's'} (2 needed): ${excerpt(content, apiKey)}`,
        );
      }
      return { provider: 'openai-compatible', variants };
    },
  };
}
