import type { Template } from 'liquidjs';
import { type Problem, TemplateError } from '../errors.js';
import type { FieldCatalog } from '../segment/catalog.js';
import { sharedLiquid } from './engine.js';
import { buildFastPath } from './fast-path.js';
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
  /** Renders the message for one customer. Throws `TemplateError` if Liquid fails at render time. */
  render(context: TemplateContext): string;
}

function parse(source: string, options: TemplateOptions): { templates?: Template[]; problems: Problem[] } {
  const liquid = sharedLiquid();
  if (typeof source !== 'string') {
    return { problems: [{ path: ['template'], code: 'invalid_type', message: 'must be a string' }] };
  }
  let templates: Template[];
  try {
    templates = liquid.parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { problems: [{ path: ['template'], code: 'template_syntax', message }] };
  }
  return { templates, problems: unknownVariableProblems(liquid, templates, options.catalog) };
}

/**
 * Every problem of a template: the Liquid parse error (unknown tags and filters included), or each
 * variable that is not known. Empty when the template is fine. Paths are `['template']`.
 *
 * @example
 * validateTemplate('Hi {{ customer.nmae }}', { catalog });
 * // [{ path: ['template'], code: 'unknown_variable', message: 'unknown variable "customer.nmae" …' }]
 */
export function validateTemplate(source: string, options: TemplateOptions): Problem[] {
  return parse(source, options).problems;
}

/**
 * Parses and checks a Liquid message template once, for rendering per recipient. Variables:
 * `customer.{id, name, firstName, email, phone, totalSpend, orderCount, visits, firstOrderAt,
 * lastOrderAt, lastVisitAt, createdAt}`, `customer.attributes.<declared name>`, `campaign.{id, name}`.
 * Dates render as ISO 8601 (UTC). Throws `TemplateError` listing every problem.
 *
 * @example
 * const t = compileTemplate('Hi {{ customer.firstName }}, {{ campaign.name }}!', { catalog });
 * t.render({ customer, campaign: { id: 'cmp_1', name: 'Spring sale' } }); // 'Hi Ada, Spring sale!'
 */
export function compileTemplate(source: string, options: TemplateOptions): CompiledTemplate {
  const { templates, problems } = parse(source, options);
  if (templates === undefined || problems.length > 0) throw new TemplateError(problems);
  const liquid = sharedLiquid();
  const fast = buildFastPath(liquid, templates);
  if (fast !== undefined) return { source, mode: 'fast', render: fast };
  const { fields, attributes } = referencedFields(liquid, templates);
  const scope = scopeBuilder(fields, attributes);
  return {
    source,
    mode: 'liquid',
    render(context) {
      try {
        return String(liquid.renderSync(templates, scope(context)));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new TemplateError([{ path: ['template'], code: 'render_failed', message }]);
      }
    },
  };
}

/** Renders `templates` with Liquid, bypassing the fast path. For tests proving both agree. */
export function renderWithLiquid(source: string, context: TemplateContext): string {
  const liquid = sharedLiquid();
  return String(liquid.renderSync(liquid.parse(source), templateScope(context)));
}
