import type { Liquid, Template, Variable } from 'liquidjs';
import type { Problem } from '../errors.js';
import type { FieldCatalog } from '../segment/catalog.js';
import { CAMPAIGN_VARIABLES, CUSTOMER_VARIABLES } from './view.js';

/** Properties Liquid allows after a value: `size`, `first`, `last`, an index or a dynamic lookup. */
function isAccessor(segment: string | number | Variable): boolean {
  return typeof segment !== 'string' || segment === 'size' || segment === 'first' || segment === 'last';
}

/** Every variable path a template may use, given the catalog's declared attributes. */
export function knownVariables(catalog: FieldCatalog): string[] {
  const attributes = catalog.fields
    .filter((f) => f.name.startsWith('attributes.'))
    .map((f) => `customer.${f.name}`);
  return [
    ...Object.keys(CUSTOMER_VARIABLES).map((n) => `customer.${n}`),
    ...attributes,
    ...Object.keys(CAMPAIGN_VARIABLES).map((n) => `campaign.${n}`),
  ];
}

/** Length of the leading segments of `segments` that name a known variable (0 when none). */
function knownPrefix(segments: readonly (string | number | Variable)[], known: ReadonlySet<string>): number {
  for (const length of [3, 2]) {
    const head = segments.slice(0, length);
    if (head.length === length && head.every((s) => typeof s === 'string') && known.has(head.join('.'))) {
      return length;
    }
  }
  return 0;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function suggestion(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of known) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : `; did you mean "${best}"?`;
}

/** The customer variables and attributes a template reads (from Liquid static analysis). */
export function referencedFields(
  liquid: Liquid,
  templates: Template[],
): { fields: string[]; attributes: string[] } {
  const fields = new Set<string>();
  const attributes = new Set<string>();
  const analysis = liquid.analyzeSync(templates, { partials: false });
  for (const variable of analysis.globals.customer ?? []) {
    const [, field, attribute] = variable.segments;
    if (typeof field === 'string') fields.add(field);
    if (field === 'attributes' && typeof attribute === 'string') attributes.add(attribute);
  }
  return { fields: [...fields], attributes: [...attributes] };
}

/**
 * Problems for every variable a parsed template reads from outside (Liquid static analysis) that
 * is not a known variable: `customer.<built-in>`, `customer.attributes.<declared>`,
 * `campaign.id`, `campaign.name`, optionally followed by `size`/`first`/`last` or an index.
 */
export function unknownVariableProblems(
  liquid: Liquid,
  templates: Template[],
  catalog: FieldCatalog,
): Problem[] {
  const knownList = knownVariables(catalog);
  const known = new Set(knownList);
  const problems: Problem[] = [];
  const reported = new Set<string>();
  const analysis = liquid.analyzeSync(templates, { partials: false });
  for (const variables of Object.values(analysis.globals)) {
    for (const variable of variables) {
      const length = knownPrefix(variable.segments, known);
      if (length > 0 && variable.segments.slice(length).every(isAccessor)) continue;
      const name = String(variable);
      if (reported.has(name)) continue;
      reported.add(name);
      const { row, col } = variable.location;
      problems.push({
        path: ['template'],
        code: 'unknown_variable',
        message: `unknown variable "${name}" (line ${row}, column ${col})${suggestion(name, knownList)}`,
      });
    }
  }
  return problems;
}
