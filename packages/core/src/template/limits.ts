/**
 * What a message template and rendering one message may cost. A template is checked against these when a campaign is
 * created (literal loop ranges, loops nested over literal ranges, and one trial render with an empty
 * customer), and every render is stopped as soon as it goes past one. A render stopped by a limit
 * throws a `TemplateError` whose problem names the limit (`template_too_costly`,
 * `template_output_too_long`, `template_memory_limit`, `template_time_limit`).
 */
export interface TemplateLimits {
  /** Most characters of template source (liquidjs `parseLimit` too). */
  readonly maxSourceLength: number;
  /** Most items a literal range such as `(1..500)` may have. */
  readonly maxRangeSize: number;
  /**
   * Most rendering steps one message may take: every text, output and tag rendered counts one, and
   * every block (a loop iteration, an `if` branch, a `capture`) one more, so loops multiply the steps.
   */
  readonly maxSteps: number;
  /** Most characters one render may write (the message itself, `capture` blocks included). */
  readonly maxOutputLength: number;
  /**
   * liquidjs `memoryLimit` of one render: items of ranges and arrays, and characters of strings
   * built by filters (`append`, `join`, `split`, …), summed over the whole render.
   */
  readonly maxMemory: number;
  /** liquidjs `renderLimit` of one render, in ms: a backstop behind the deterministic limits above. */
  readonly maxRenderMs: number;
}

/**
 * The limits every message template is held to. A plain `Hi {{ customer.firstName }}` takes 2 steps;
 * a loop over a customer's tags a few dozen. 10,000 steps take a few milliseconds, so one
 * customer's data cannot hold a server's event loop.
 */
export const TEMPLATE_LIMITS: TemplateLimits = Object.freeze({
  maxSourceLength: 10_000,
  maxRangeSize: 10_000,
  maxSteps: 10_000,
  maxOutputLength: 100_000,
  maxMemory: 1_000_000,
  maxRenderMs: 250,
});
