/**
 * Reads message variants out of a language model's answer text.
 */

const FENCE = /```[a-zA-Z0-9_-]*\s*\n?([\s\S]*?)```/;
const VARIANT_KEYS = ['variants', 'messages', 'suggestions'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fromItem(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (isRecord(item)) {
    for (const key of ['text', 'message', 'content'] as const) {
      if (typeof item[key] === 'string') return item[key];
    }
  }
  return undefined;
}

/** Strings of a parsed JSON answer: an array, or an object holding one under variants/messages/suggestions. */
function fromJson(value: unknown): string[] | undefined {
  let list: unknown;
  if (Array.isArray(value)) list = value;
  else if (isRecord(value)) list = VARIANT_KEYS.map((key) => value[key]).find(Array.isArray);
  if (!Array.isArray(list)) return undefined;
  return list.map(fromItem).filter((text): text is string => text !== undefined);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Lines of a plain-text answer, without list markers and wrapping quotes. */
function fromLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) =>
      line
        .trim()
        .replace(/^(?:[-*•]|\d{1,2}[.)])\s+/, '')
        .replace(/^(?:variant|option|message)\s*\d*\s*[:.-]\s*/i, '')
        .replace(/^["'“]/, '')
        .replace(/["'”],?$/, '')
        .trim(),
    )
    .filter((line) => line !== '');
}

/**
 * The candidate messages in a model's answer, in order. Reads, in turn: JSON (an array of strings
 * or of `{ text }`, or an object with a `variants`/`messages`/`suggestions` array), inside a
 * Markdown code fence or not; the first `[...]` span of the text; else one candidate per non-empty
 * line, without list markers (`-`, `1.`) and wrapping quotes. Candidates are not checked here.
 */
export function parseVariants(content: string): string[] {
  const fenced = FENCE.exec(content)?.[1];
  const body = (fenced ?? content).trim();
  const direct = fromJson(tryJson(body));
  if (direct !== undefined) return direct;
  const start = body.indexOf('[');
  const end = body.lastIndexOf(']');
  if (start !== -1 && end > start) {
    const embedded = fromJson(tryJson(body.slice(start, end + 1)));
    if (embedded !== undefined) return embedded;
  }
  return fromLines(body);
}
