import type { FieldDefinition, FieldType } from './catalog.js';
import { OPERATORS_BY_TYPE } from './catalog.js';

function builtIn(name: string, label: string, type: FieldType, description: string): FieldDefinition {
  return Object.freeze({ name, label, type, operators: OPERATORS_BY_TYPE[type], description, builtIn: true });
}

/**
 * The fields every customer has, in display order: profile fields (`id`, `name`, `email`, `phone`),
 * aggregates kept by ingestion (`totalSpend`, `orderCount`, `visits`, `firstOrderAt`, `lastOrderAt`,
 * `lastVisitAt`) and timestamps (`createdAt`, `updatedAt`). Each allows every operator of its type.
 */
export const BUILT_IN_FIELDS: readonly FieldDefinition[] = Object.freeze([
  builtIn('id', 'Customer id', 'string', 'Your own id for the customer.'),
  builtIn('name', 'Name', 'string', 'Display name.'),
  builtIn('email', 'Email', 'string', 'Email address, when known.'),
  builtIn('phone', 'Phone', 'string', 'Phone number in E.164 form, when known.'),
  builtIn('totalSpend', 'Total spend', 'number', 'Total spend in major units of the store currency.'),
  builtIn('orderCount', 'Orders', 'number', 'Number of orders.'),
  builtIn('visits', 'Visits', 'number', 'Number of visits.'),
  builtIn('firstOrderAt', 'First order', 'date', 'When the first order was placed.'),
  builtIn('lastOrderAt', 'Last order', 'date', 'When the latest order was placed.'),
  builtIn('lastVisitAt', 'Last visit', 'date', 'When the customer last visited.'),
  builtIn('createdAt', 'Created', 'date', 'When the customer was first stored.'),
  builtIn('updatedAt', 'Updated', 'date', 'When the customer record last changed.'),
]);

/** Prefix of custom attribute fields: attribute `city` is the field `attributes.city`. */
export const ATTRIBUTE_PREFIX = 'attributes.';
