import { type Liquid, Output, type Template, TypeGuards } from 'liquidjs';
import { TemplateError } from '../errors.js';
import { type TemplateContext, type VariableGetter, variableGetter } from './view.js';

/** Renders a value exactly as Liquid's output does: strings as is, nil empty, arrays joined, others `String()`. */
export function liquidString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(liquidString).join('');
  return String(value);
}

/** Keys Liquid resolves specially (`size` of an object is its key count): left to Liquid. */
const LIQUID_SPECIAL = new Set(['size', 'first', 'last']);

/** The variable path of a filter-less `{{ a.b.c }}` output, or undefined for anything else. */
function plainOutputPath(liquid: Liquid, template: Template): string[] | undefined {
  if (!(template instanceof Output) || template.value.filters.length > 0) return undefined;
  const postfix = template.value.initial.postfix;
  if (postfix.length !== 1 || !TypeGuards.isPropertyAccessToken(postfix[0])) return undefined;
  const globals = Object.values(liquid.analyzeSync([template], { partials: false }).globals).flat();
  const segments = globals.length === 1 ? globals[0]?.segments : undefined;
  if (segments === undefined || !segments.every((s) => typeof s === 'string' && !LIQUID_SPECIAL.has(s))) {
    return undefined;
  }
  return segments as string[];
}

/**
 * A renderer for templates made only of text and filter-less `{{ known.variable }}` outputs: a
 * closure that concatenates text and values, skipping Liquid's per-render machinery. Text parts are
 * rendered by Liquid itself once (so whitespace control is honoured). Returns undefined when the
 * template uses anything else (tags, filters, literals, unknown paths); Liquid then renders it.
 * A message longer than `maxOutputLength` throws a `TemplateError` (`template_output_too_long`).
 */
export function buildFastPath(
  liquid: Liquid,
  templates: Template[],
  maxOutputLength: number,
): ((context: TemplateContext) => string) | undefined {
  const texts: string[] = [];
  const getters: VariableGetter[] = [];
  let text = '';
  for (const template of templates) {
    if (TypeGuards.isHTMLToken(template.token)) {
      text += liquid.renderSync([template], {});
      continue;
    }
    const path = plainOutputPath(liquid, template);
    const getter = path === undefined ? undefined : variableGetter(path);
    if (getter === undefined) return undefined;
    texts.push(text);
    getters.push(getter);
    text = '';
  }
  const tail = text;
  const count = getters.length;
  return (context) => {
    let out = '';
    for (let i = 0; i < count; i++) out += texts[i]! + liquidString(getters[i]!(context));
    out += tail;
    if (out.length > maxOutputLength) throw tooLong(maxOutputLength);
    return out;
  };
}

function tooLong(maxOutputLength: number): TemplateError {
  return new TemplateError([
    {
      path: ['template'],
      code: 'template_output_too_long',
      message: `the message would be longer than ${maxOutputLength} characters`,
    },
  ]);
}
