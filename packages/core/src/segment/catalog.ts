import type { Operator } from './types.js';

/** The type of a field in the catalog. `enum` is a string restricted to `options`; `tags` is a list of strings. */
export type FieldType = 'string' | 'number' | 'boolean' | 'date' | 'enum' | 'tags';

/** An option of an `enum` field. */
export interface FieldOption {
  readonly value: string;
  readonly label: string;
}

/** One field a segment rule may use. */
export interface FieldDefinition {
  /** Path in the customer record: a built-in name (`totalSpend`) or `attributes.<name>`. */
  readonly name: string;
  /** Human label for rule builders. */
  readonly label: string;
  readonly type: FieldType;
  /** Operators allowed on this field. Defaults to every operator of its type. */
  readonly operators: readonly Operator[];
  /** For `enum` fields: the allowed values. */
  readonly options?: readonly FieldOption[];
  /** Short help text for rule builders. */
  readonly description?: string;
  /** `true` for fields MiniCRM maintains itself (aggregates, timestamps). */
  readonly builtIn: boolean;
}

/** The operators each field type allows by default. */
export const OPERATORS_BY_TYPE: Readonly<Record<FieldType, readonly Operator[]>> = {
  number: ['=', '!=', '<', '<=', '>', '>=', 'between', 'in', 'notIn', 'exists', 'notExists'],
  string: [
    '=',
    '!=',
    'in',
    'notIn',
    'contains',
    'notContains',
    'startsWith',
    'notStartsWith',
    'endsWith',
    'notEndsWith',
    'exists',
    'notExists',
  ],
  enum: ['=', '!=', 'in', 'notIn', 'exists', 'notExists'],
  boolean: ['=', '!=', 'exists', 'notExists'],
  date: ['before', 'after', 'between', 'withinLast', 'notWithinLast', 'exists', 'notExists'],
  tags: ['has', 'hasAny', 'hasAll', 'exists', 'notExists'],
};

/** A custom attribute declaration, as passed to `createFieldCatalog`. */
export interface AttributeDeclaration {
  /** Attribute name, stored under `attributes.<name>`. Letters, digits, `_` and `-`. */
  readonly name: string;
  readonly type: FieldType;
  /** Defaults to the name. */
  readonly label?: string;
  readonly description?: string;
  /** Required for `enum`. */
  readonly options?: readonly (string | FieldOption)[];
  /** Restrict the operators; defaults to every operator of the type. */
  readonly operators?: readonly Operator[];
}

/** Every field segment rules may use, built-in and custom. Immutable. */
export interface FieldCatalog {
  /** All fields in display order (built-ins first). */
  readonly fields: readonly FieldDefinition[];
  /** Looks a field up by name. */
  get(name: string): FieldDefinition | undefined;
}
