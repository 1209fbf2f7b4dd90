import type { Customer } from '../domain/customer.js';

/** What a template sees of the campaign. */
export interface TemplateCampaign {
  readonly id: string;
  readonly name: string;
}

/** The data a template renders against. */
export interface TemplateContext {
  readonly customer: Customer;
  readonly campaign: TemplateCampaign;
}

/** Reads one template variable's value from the context. */
export type VariableGetter = (context: TemplateContext) => unknown;

/** The first word of a name (`Ada` for `Ada Lovelace`); empty for an empty name. */
export function firstName(name: string): string {
  const trimmed = name.trim();
  const space = trimmed.search(/\s/);
  return space === -1 ? trimmed : trimmed.slice(0, space);
}

function iso(date: Date | undefined): string | undefined {
  return date?.toISOString();
}

/**
 * Built-in customer variables (`customer.<name>`) and how to read them. Dates are ISO 8601 strings
 * in UTC, so `{{ customer.createdAt }}` is stable and the `date` filter still works on them.
 */
export const CUSTOMER_VARIABLES: Readonly<Record<string, (customer: Customer) => unknown>> = {
  id: (c) => c.id,
  name: (c) => c.name,
  firstName: (c) => firstName(c.name),
  email: (c) => c.email,
  phone: (c) => c.phone,
  totalSpend: (c) => c.totalSpend,
  orderCount: (c) => c.orderCount,
  visits: (c) => c.visits,
  firstOrderAt: (c) => iso(c.firstOrderAt),
  lastOrderAt: (c) => iso(c.lastOrderAt),
  lastVisitAt: (c) => iso(c.lastVisitAt),
  createdAt: (c) => iso(c.createdAt),
};

/** Campaign variables (`campaign.<name>`). */
export const CAMPAIGN_VARIABLES: Readonly<Record<string, (campaign: TemplateCampaign) => unknown>> = {
  id: (c) => c.id,
  name: (c) => c.name,
};

/** An attribute value as templates see it: dates as ISO strings, the rest as stored. */
export function attributeView(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** The Liquid scope for one render: `customer` (built-in variables and attributes) and `campaign`. */
export function templateScope(context: TemplateContext): Record<string, unknown> {
  return scopeBuilder(Object.keys(CUSTOMER_VARIABLES), Object.keys(context.customer.attributes))(context);
}

/**
 * A function building the Liquid scope with only the given customer variables and attributes (the
 * ones a template reads), so a render does not pay for the rest.
 */
export function scopeBuilder(
  fields: readonly string[],
  attributeNames: readonly string[],
): (context: TemplateContext) => Record<string, unknown> {
  const readers = fields.flatMap((name) => {
    const read = Object.hasOwn(CUSTOMER_VARIABLES, name) ? CUSTOMER_VARIABLES[name] : undefined;
    return read === undefined ? [] : [[name, read] as const];
  });
  return (context) => {
    const customer: Record<string, unknown> = {};
    for (const [name, read] of readers) customer[name] = read(context.customer);
    const attributes: Record<string, unknown> = {};
    const stored = context.customer.attributes;
    for (const name of attributeNames)
      if (Object.hasOwn(stored, name)) attributes[name] = attributeView(stored[name]);
    customer.attributes = attributes;
    return { customer, campaign: { id: context.campaign.id, name: context.campaign.name } };
  };
}

/** A getter for a known variable path (`customer.name`, `customer.attributes.city`, `campaign.id`), or undefined. */
export function variableGetter(path: readonly string[]): VariableGetter | undefined {
  const [root, field, attribute, ...rest] = path;
  if (field === undefined) return undefined;
  if (root === 'campaign' && attribute === undefined && Object.hasOwn(CAMPAIGN_VARIABLES, field)) {
    const read = CAMPAIGN_VARIABLES[field]!;
    return (context) => read(context.campaign);
  }
  if (root !== 'customer' || rest.length > 0) return undefined;
  if (field === 'attributes' && attribute !== undefined) {
    return (context) =>
      Object.hasOwn(context.customer.attributes, attribute)
        ? attributeView(context.customer.attributes[attribute])
        : undefined;
  }
  if (attribute === undefined && Object.hasOwn(CUSTOMER_VARIABLES, field)) {
    const read = CUSTOMER_VARIABLES[field]!;
    return (context) => read(context.customer);
  }
  return undefined;
}
