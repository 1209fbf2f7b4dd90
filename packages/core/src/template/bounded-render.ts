import {
  Context,
  type Emitter,
  type Liquid,
  LiquidError,
  type Template,
  toValue,
  toValueSync,
} from 'liquidjs';
import type { Problem } from '../errors.js';
import { where } from './cost.js';
import type { TemplateLimits } from './limits.js';

/** A render went past one of the {@link TemplateLimits}; `code` names which. */
class LimitExceeded extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LimitExceeded';
  }
}

/** The liquidjs context of one bounded render: counts its steps and the characters it writes. */
class BoundedContext extends Context {
  private steps = 0;
  private written = 0;

  constructor(
    scope: object,
    liquid: Liquid,
    readonly limits: TemplateLimits,
  ) {
    super(
      scope,
      liquid.options,
      { sync: true, memoryLimit: limits.maxMemory, renderLimit: limits.maxRenderMs },
      { liquid },
    );
  }

  spend(steps: number): void {
    this.steps += steps;
    if (this.steps > this.limits.maxSteps) {
      throw new LimitExceeded(
        'template_too_costly',
        `rendering takes more than ${this.limits.maxSteps} steps (loops multiply the steps)`,
      );
    }
  }

  write(characters: number): void {
    this.written += characters;
    if (this.written > this.limits.maxOutputLength) {
      throw new LimitExceeded(
        'template_output_too_long',
        `the message would be longer than ${this.limits.maxOutputLength} characters`,
      );
    }
  }
}

/** What liquidjs writes for a value: strings as is, nil empty, arrays joined, drops by `valueOf`. */
function outputText(value: unknown): string {
  const v = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(outputText).join('');
  return String(v);
}

/** An emitter that charges every character it is given to the render's output budget. */
class BoundedEmitter implements Emitter {
  buffer = '';

  constructor(private readonly ctx: BoundedContext) {}

  write(html: unknown): void {
    const text = outputText(html);
    this.ctx.write(text.length);
    this.buffer += text;
  }
}

/**
 * Makes `liquid` count the cost of bounded renders: every call of its renderer (the whole template,
 * each loop iteration, each branch or `capture` body) charges its nodes plus one to the render's
 * step budget, and writes through an emitter charging the output budget. Renders that did not
 * start with {@link renderBounded} are left as they were.
 */
export function countRenderSteps(liquid: Liquid): void {
  const renderer = liquid.renderer;
  const renderTemplates = renderer.renderTemplates.bind(renderer);
  renderer.renderTemplates = function* (templates: Template[], ctx: Context, emitter?: Emitter) {
    if (!(ctx instanceof BoundedContext)) return yield* renderTemplates(templates, ctx, emitter);
    ctx.spend(templates.length + 1);
    return yield* renderTemplates(templates, ctx, emitter ?? new BoundedEmitter(ctx));
  };
}

/**
 * Renders parsed templates within `limits` (`liquid` must have gone through
 * {@link countRenderSteps}). Throws what liquidjs throws; {@link renderProblem} explains it.
 */
export function renderBounded(
  liquid: Liquid,
  templates: Template[],
  scope: object,
  limits: TemplateLimits,
): string {
  const ctx = new BoundedContext(scope, liquid, limits);
  return String(toValueSync(liquid.renderer.renderTemplates(templates, ctx)));
}

/** The liquidjs limits, by the message liquidjs throws when one is exceeded. */
const LIQUID_LIMITS = new Map<string, (limits: TemplateLimits) => [code: string, message: string]>([
  [
    'memory alloc limit exceeded',
    (l) => [
      'template_memory_limit',
      `rendering builds more than ${l.maxMemory} items of ranges, arrays and strings`,
    ],
  ],
  [
    'template render limit exceeded',
    (l) => ['template_time_limit', `rendering takes longer than ${l.maxRenderMs} ms`],
  ],
]);

/**
 * The problem a failed render reports, path `['template']`: the limit it went past (code
 * `template_too_costly`, `template_output_too_long`, `template_memory_limit` or
 * `template_time_limit`, with the place in the template), or `render_failed` with liquidjs' message.
 */
export function renderProblem(error: unknown, limits: TemplateLimits): Problem {
  let cause: unknown = error;
  let innermost: LiquidError | undefined;
  while (LiquidError.is(cause)) {
    innermost = cause as LiquidError;
    if (innermost.originalError === undefined) break;
    cause = innermost.originalError;
  }
  const at = innermost === undefined ? '' : ` ${where(innermost.token)}`;
  if (cause instanceof LimitExceeded) {
    return { path: ['template'], code: cause.code, message: `${cause.message}${at}` };
  }
  const liquidLimit = cause instanceof Error ? LIQUID_LIMITS.get(cause.message) : undefined;
  if (liquidLimit !== undefined) {
    const [code, message] = liquidLimit(limits);
    return { path: ['template'], code, message: `${message}${at}` };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { path: ['template'], code: 'render_failed', message };
}
