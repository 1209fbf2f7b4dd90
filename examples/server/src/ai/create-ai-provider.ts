/**
 * Picks the AI provider from configuration.
 */
import type { FieldCatalog } from '@minicrm/core';
import type { AiProvider } from './ai-provider.js';
import { createOfflineProvider } from './offline-provider.js';
import { createOpenAiCompatibleProvider } from './openai-compatible-provider.js';

/** AI settings, as read from `AI_BASE_URL`, `AI_API_KEY`, `AI_MODEL` (and an optional timeout). */
export interface AiProviderConfig {
  /** `AI_BASE_URL`, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl?: string | undefined;
  /** `AI_API_KEY`; optional for local servers. */
  readonly apiKey?: string | undefined;
  /** `AI_MODEL`, e.g. `gpt-4o-mini`. */
  readonly model?: string | undefined;
  /** Time limit of one request (ms). @default 10000 */
  readonly timeoutMs?: number | undefined;
  /** Catalog suggested templates are checked against. @default core's default catalog */
  readonly catalog?: FieldCatalog | undefined;
  /** HTTP client. @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined;
}

/**
 * The OpenAI-compatible provider when `baseUrl` and `model` are both set (the API key is
 * optional), else the offline provider.
 *
 * @example
 * const ai = createAiProvider({
 *   baseUrl: process.env.AI_BASE_URL, apiKey: process.env.AI_API_KEY, model: process.env.AI_MODEL,
 * });
 */
export function createAiProvider(config: AiProviderConfig = {}): AiProvider {
  const baseUrl = config.baseUrl?.trim();
  const model = config.model?.trim();
  if (baseUrl === undefined || baseUrl === '' || model === undefined || model === '') {
    return createOfflineProvider();
  }
  const apiKey = config.apiKey?.trim();
  return createOpenAiCompatibleProvider({
    baseUrl,
    model,
    ...(apiKey === undefined || apiKey === '' ? {} : { apiKey }),
    ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
    ...(config.catalog === undefined ? {} : { catalog: config.catalog }),
    ...(config.fetch === undefined ? {} : { fetch: config.fetch }),
  });
}
