import { type Problem, ValidationError } from '../errors.js';
import { ATTRIBUTE_PREFIX, BUILT_IN_FIELDS } from './built-in-fields.js';
import type {
  AttributeDeclaration,
  FieldCatalog,
  FieldDefinition,
  FieldOption,
  FieldType,
} from './catalog.js';
import { OPERATORS_BY_TYPE } from './catalog.js';
import type { Operator } from './types.js';

/** Options of {@link createFieldCatalog}. */
export interface FieldCatalogOptions {
  /** Custom attributes rules may use, each available as the field `attributes.<name>`. @default [] */
  readonly attributes?: readonly AttributeDeclaration[];
}

/** Attribute names: a letter first, then letters, digits, `_` and `-`; at most 64 characters. */
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const FIELD_TYPES: readonly FieldType[] = ['string', 'number', 'boolean', 'date', 'enum', 'tags'];

function problem(path: (string | number)[], code: string, message: string): Problem {
  return { path, code, message };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkOptions(raw: unknown, path: (string | number)[], problems: Problem[]): FieldOption[] {
  const options: FieldOption[] = [];
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push(problem(path, 'options_required', 'an enum attribute needs a non-empty list of options'));
    return options;
  }
  const seen = new Set<string>();
  raw.forEach((entry: unknown, i) => {
    let option: FieldOption | undefined;
    if (typeof entry === 'string') option = { value: entry, label: entry };
    else if (isPlainObject(entry) && typeof entry.value === 'string') {
      option = { value: entry.value, label: typeof entry.label === 'string' ? entry.label : entry.value };
    }
    if (option === undefined || option.value === '') {
      problems.push(
        problem([...path, i], 'invalid_option', 'an option is a non-empty string or { value, label }'),
      );
    } else if (seen.has(option.value)) {
      problems.push(problem([...path, i], 'duplicate_option', `option "${option.value}" is listed twice`));
    } else {
      seen.add(option.value);
      options.push(Object.freeze(option));
    }
  });
  return options;
}

function checkDeclaration(
  raw: unknown,
  i: number,
  names: Set<string>,
  problems: Problem[],
): FieldDefinition | undefined {
  const path = ['attributes', i];
  if (!isPlainObject(raw)) {
    problems.push(problem(path, 'invalid_type', 'an attribute declaration is an object { name, type, … }'));
    return undefined;
  }
  const before = problems.length;
  const { name, type, label, description, options, operators } = raw;
  if (typeof name !== 'string' || !ATTRIBUTE_NAME.test(name) || name in Object.prototype) {
    problems.push(
      problem(
        [...path, 'name'],
        'invalid_name',
        'a name starts with a letter, then letters, digits, "_" or "-" (at most 64), and is not a reserved word',
      ),
    );
  } else if (names.has(name)) {
    problems.push(problem([...path, 'name'], 'duplicate_name', `attribute "${name}" is declared twice`));
  } else {
    names.add(name);
  }
  const knownType = typeof type === 'string' && (FIELD_TYPES as readonly string[]).includes(type);
  if (!knownType) {
    problems.push(
      problem([...path, 'type'], 'invalid_type', `type must be one of ${FIELD_TYPES.join(', ')}`),
    );
  }
  if (label !== undefined && typeof label !== 'string') {
    problems.push(problem([...path, 'label'], 'invalid_type', 'label must be a string'));
  }
  if (description !== undefined && typeof description !== 'string') {
    problems.push(problem([...path, 'description'], 'invalid_type', 'description must be a string'));
  }
  let parsedOptions: FieldOption[] | undefined;
  if (type === 'enum') parsedOptions = checkOptions(options, [...path, 'options'], problems);
  else if (options !== undefined && knownType) {
    problems.push(problem([...path, 'options'], 'unexpected_options', 'only enum attributes take options'));
  }
  let ops: readonly Operator[] = knownType ? OPERATORS_BY_TYPE[type as FieldType] : [];
  if (operators !== undefined) {
    if (!Array.isArray(operators) || operators.length === 0) {
      problems.push(problem([...path, 'operators'], 'invalid_type', 'operators must be a non-empty list'));
    } else if (knownType) {
      const allowed = OPERATORS_BY_TYPE[type as FieldType] as readonly unknown[];
      operators.forEach((op: unknown, j) => {
        if (!allowed.includes(op)) {
          problems.push(
            problem(
              [...path, 'operators', j],
              'operator_not_allowed',
              `operator ${JSON.stringify(op)} does not apply to type ${String(type)} (allowed: ${allowed.join(', ')})`,
            ),
          );
        }
      });
      ops = [...new Set(operators as Operator[])];
    }
  }
  if (problems.length > before) return undefined;
  const field: FieldDefinition = {
    name: ATTRIBUTE_PREFIX + (name as string),
    label: (label as string | undefined) ?? (name as string),
    type: type as FieldType,
    operators: Object.freeze(ops),
    builtIn: false,
    ...(description === undefined ? {} : { description: description as string }),
    ...(parsedOptions === undefined ? {} : { options: Object.freeze(parsedOptions) }),
  };
  return Object.freeze(field);
}

/**
 * Builds the field catalog segment rules are validated against: the {@link BUILT_IN_FIELDS}
 * followed by each custom attribute as `attributes.<name>`.
 *
 * Declarations are checked: names (a letter, then letters, digits, `_`, `-`; unique), types, enum
 * options (required and non-empty for `enum`, only for `enum`) and operators (a subset of the type's
 * operators, see {@link OPERATORS_BY_TYPE}).
 *
 * @throws ValidationError listing every bad declaration with its path, e.g. `attributes[1].options`.
 * @example
 * const catalog = createFieldCatalog({
 *   attributes: [
 *     { name: 'city', type: 'enum', options: ['Mumbai', 'Pune'] },
 *     { name: 'tags', type: 'tags' },
 *   ],
 * });
 * catalog.get('attributes.city')?.type; // 'enum'
 */
export function createFieldCatalog(options: FieldCatalogOptions = {}): FieldCatalog {
  const declarations: unknown = options.attributes ?? [];
  const problems: Problem[] = [];
  const fields: FieldDefinition[] = [...BUILT_IN_FIELDS];
  if (!Array.isArray(declarations)) {
    problems.push(problem(['attributes'], 'invalid_type', 'attributes must be a list of declarations'));
  } else {
    const names = new Set<string>();
    declarations.forEach((raw: unknown, i) => {
      const field = checkDeclaration(raw, i, names, problems);
      if (field !== undefined) fields.push(field);
    });
  }
  if (problems.length > 0) throw new ValidationError('invalid field catalog', problems);
  const byName = new Map(fields.map((f) => [f.name, f]));
  return Object.freeze({
    fields: Object.freeze(fields),
    get: (name: string) => byName.get(name),
  });
}

/** The catalog of the built-in fields only (no custom attributes). */
export const defaultFieldCatalog: FieldCatalog = createFieldCatalog();
