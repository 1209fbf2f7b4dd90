/**
 * AI message suggestions: the provider contract and its error.
 */

/** Tones a suggestion can be written in. */
export const SUGGEST_TONES = ['friendly', 'formal', 'playful', 'urgent'] as const;

/** The tone of a suggestion. */
export type SuggestTone = (typeof SUGGEST_TONES)[number];

/** Channels a suggestion can be written for. */
export const SUGGEST_CHANNELS = ['sms', 'email'] as const;

/** The channel of a suggestion: `sms` keeps every variant within 160 characters of template source. */
export type SuggestChannel = (typeof SUGGEST_CHANNELS)[number];

/** What to write messages for. */
export interface SuggestInput {
  /** The campaign's goal in plain words, e.g. "win back customers who have not ordered in 3 months". */
  readonly objective: string;
  /** @default 'friendly' */
  readonly tone?: SuggestTone;
  /** @default 'sms' */
  readonly channel?: SuggestChannel;
}

/** One suggested message: a MiniCRM Liquid template, e.g. `Hi {{ customer.firstName }}, …`. */
export interface SuggestedMessage {
  readonly text: string;
}

/** Suggestions for one input. */
export interface SuggestResult {
  /** Name of the provider that wrote them, e.g. `offline` or `openai-compatible`. */
  readonly provider: string;
  /** Two or three variants, each a valid template using only known variables. */
  readonly variants: readonly SuggestedMessage[];
}

/** Writes message variants for a campaign objective. */
export interface AiProvider {
  /** Short name reported in {@link SuggestResult.provider}. */
  readonly name: string;
  /**
   * Suggests 2–3 message templates for `input`.
   * @throws AiProviderError when the provider fails, times out or answers something unusable.
   */
  suggestMessages(input: SuggestInput, options?: { readonly signal?: AbortSignal }): Promise<SuggestResult>;
}

/**
 * Stable codes of {@link AiProviderError}:
 * - `AI_PROVIDER_FAILED` (502): the provider answered an error status or could not be reached;
 * - `AI_PROVIDER_TIMEOUT` (504): no answer in time, or the request was aborted;
 * - `AI_PROVIDER_BAD_RESPONSE` (502): the answer held fewer than two usable variants.
 */
export type AiProviderErrorCode = 'AI_PROVIDER_FAILED' | 'AI_PROVIDER_TIMEOUT' | 'AI_PROVIDER_BAD_RESPONSE';

const STATUS_BY_CODE: Readonly<Record<AiProviderErrorCode, 502 | 504>> = {
  AI_PROVIDER_FAILED: 502,
  AI_PROVIDER_TIMEOUT: 504,
  AI_PROVIDER_BAD_RESPONSE: 502,
};

/**
 * An AI provider could not produce suggestions. Its message is safe to show clients (`expose`): it
 * never holds the API key, and quotes the upstream answer only as a short excerpt.
 */
export class AiProviderError extends Error {
  /** Stable code; see {@link AiProviderErrorCode}. */
  readonly code: AiProviderErrorCode;
  /** HTTP status to answer with: 502 Bad Gateway, or 504 Gateway Timeout. */
  readonly statusCode: 502 | 504;
  /** The message may be sent to clients. */
  readonly expose = true;

  constructor(code: AiProviderErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AiProviderError';
    this.code = code;
    this.statusCode = STATUS_BY_CODE[code];
  }
}
