import type { Liquid, Template } from 'liquidjs';
import { type Problem, TemplateError } from '../errors.js';
import type { FieldCatalog } from '../segment/catalog.js';
import { renderBounded, renderProblem } from './bounded-render.js';
import { costProblems } from './cost.js';
import { sharedLiquid } from './engine.js';
import { buildFastPath } from './fast-path.js';
import { TEMPLATE_LIMITS } from './limits.js';
import { referencedFields, unknownVariableProblems } from './variables.js';
import { scopeBuilder, type TemplateContext, templateScope } from './view.js';

/** Options of {@link compileTemplate} and {@link validateTemplate}. */
export interface TemplateOptions {
  /** Declares the custom attributes templates may read as `customer.attributes.<name>`. */
  readonly catalog: FieldCatalog;
}

/** A parsed, checked template, ready to render many times. */
export interface CompiledTemplate {
  /** The Liquid source. */
  readonly source: string;
  /**
   * `fast` for templates made only of text and `{{ variable }}` outputs (rendered by string
   * concatenation), `liquid` for the rest (rendered by liquidjs). Both give identical output.
   */
  readonly mode: 'fast' | 'liquid';
  /**
   * Renders the message for one customer. Throws `TemplateError` if Liquid fails at render time or
   * the render goes past one of {@link TEMPLATE_LIMITS} (it is stopped there).
   */
  render(context: TemplateContext): string;
}

/** Problem codes of the limits a render can go past; a trial render refuses a template for these. */
const LIMIT_CODES: ReadonlySet<string> = new Set([
  'template_too_costly',
  'template_output_too_long',
  'template_memory_limit',
  'template_time_limit',
]);

/** The customer a template is tried on at create: no name, no contact, no attributes, nothing counted. */
const EMPTY_CONTEXT: TemplateContext = {
  customer: {
    id: '',
    name: '',
    attributes: {},
    subscriptions: {},
    totalSpend: 0,
    totalSpendMinor: 0,
    orderCount: 0,
    visits: 0,
    baseline: { spendMinor: 0, orderCount: 0, visits: 0 },
    activity: { spendMinor: 0, orderCount: 0, visits: 0 },
    createdAt: new Date(0),
    updatedAt: new Date(0),
  },
  campaign: { id: '', name: '' },
};

function renderer(liquid: Liquid, templates: Template[], source: string): CompiledTemplate {
  const fast = buildFastPath(liquid, templates, TEMPLATE_LIMITS.maxOutputLength);
  if (fast !== undefined) return { source, mode: 'fast', render: fast };
  const { fields, attributes } = referencedFields(liquid, templates);
  const scope = scopeBuilder(fields, attributes);
  return {
    source,
    mode: 'liquid',
    render(context) {
      try {
        return renderBounded(liquid, templates, scope(context), TEMPLATE_LIMITS);
      } catch (error) {
        throw new TemplateError([renderProblem(error, TEMPLATE_LIMITS)]);
      }
    },
  };
}

/** The problems of rendering for a customer with no data: the costs that do not depend on data. */
function trialProblems(template: CompiledTemplate): Problem[] {
  try {
    template.render(EMPTY_CONTEXT);
    return [];
  } catch (error) {
    // Other failures may depend on the data (a customer's real values): left to the render.
    if (!(error instanceof TemplateError)) return [];
    return error.problems
      .filter((p) => LIMIT_CODES.has(p.code))
      .map((p) => ({ ...p, message: `${p.message}, even for a customer with no data` }));
  }
}

function check(
  source: string,
  options: TemplateOptions,
): { compiled?: CompiledTemplate; problems: Problem[] } {
  const liquid = sharedLiquid();
  if (typeof source !== 'string') {
    return { problems: [{ path: ['template'], code: 'invalid_type', message: 'must be a string' }] };
  }
  if (source.length > TEMPLATE_LIMITS.maxSourceLength) {
    const message = `must be at most ${TEMPLATE_LIMITS.maxSourceLength} characters (it has ${source.length})`;
    return { problems: [{ path: ['template'], code: 'template_too_long', message }] };
  }
  let templates: Template[];
  try {
    templates = liquid.parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { problems: [{ path: ['template'], code: 'template_syntax', message }] };
  }
  const problems = [
    ...unknownVariableProblems(liquid, templates, options.catalog),
    ...costProblems(templates, TEMPLATE_LIMITS),
  ];
  if (problems.length > 0) return { problems };
  const compiled = renderer(liquid, templates, source);
  const trial = trialProblems(compiled);
  return trial.length > 0 ? { problems: trial } : { compiled, problems: [] };
}

/**
 * Every problem of a template: too long a source (`template_too_long`), the Liquid parse error
 * (unknown tags and filters included), each
 * variable that is not known, and each cost past {@link TEMPLATE_LIMITS} that can be told before
 * sending: a literal range too large (`range_too_large`), loops over literal ranges taking too many
 * steps (`template_too_costly`), or a render for a customer with no data going past a limit. Empty
 * when the template is fine. Paths are `['template']`.
 *
 * @example
 * validateTemplate('Hi {{ customer.nmae }}', { catalog });
 * // [{ path: ['template'], code: 'unknown_variable', message: 'unknown variable "customer.nmae" …' }]
 */
export function validateTemplate(source: string, options: TemplateOptions): Problem[] {
  return check(source, options).problems;
}

/**
 * Parses and checks a Liquid message template once, for rendering per recipient. Variables:
 * `customer.{id, name, firstName, email, phone, totalSpend, orderCount, visits, firstOrderAt,
 * lastOrderAt, lastVisitAt, createdAt}`, `customer.attributes.<declared name>`, `campaign.{id, name}`.
 * Dates render as ISO 8601 (UTC). Throws `TemplateError` listing every problem
 * ({@link validateTemplate}). Each render is held to {@link TEMPLATE_LIMITS}.
 *
 * @example
 * const t = compileTemplate('Hi {{ customer.firstName }}, {{ campaign.name }}!', { catalog });
 * t.render({ customer, campaign: { id: 'cmp_1', name: 'Spring sale' } }); // 'Hi Ada, Spring sale!'
 */
export function compileTemplate(source: string, options: TemplateOptions): CompiledTemplate {
  const { compiled, problems } = check(source, options);
  if (compiled === undefined) throw new TemplateError(problems);
  return compiled;
}

/** Renders `templates` with Liquid, bypassing the fast path. For tests proving both agree. */
export function renderWithLiquid(source: string, context: TemplateContext): string {
  const liquid = sharedLiquid();
  return String(liquid.renderSync(liquid.parse(source), templateScope(context)));
}
