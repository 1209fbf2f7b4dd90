/** Segment schemas: the rule tree (documented as an OpenAPI component), preview, saved segments. */
import { OPERATORS, RELATIVE_UNITS } from '@minicrm/core';
import { z } from 'zod';
import { customerSchema } from './customer.js';

/**
 * The rule tree as an OpenAPI component. It is recursive, so it is written as JSON Schema and
 * referenced; core validates rules against the field catalog and reports each problem with its path.
 */
export const RULE_COMPONENTS = {
  RuleGroup: {
    type: 'object',
    description: 'AND/OR group of conditions and nested groups',
    required: ['combinator', 'rules'],
    additionalProperties: false,
    properties: {
      combinator: { type: 'string', enum: ['and', 'or'] },
      not: { type: 'boolean', description: 'Negates the group' },
      rules: {
        type: 'array',
        minItems: 1,
        items: {
          oneOf: [{ $ref: '#/components/schemas/RuleCondition' }, { $ref: '#/components/schemas/RuleGroup' }],
        },
      },
    },
    example: { combinator: 'and', rules: [{ field: 'totalSpend', operator: '>', value: 10000 }] },
  },
  RuleCondition: {
    type: 'object',
    description: 'One test on one field of the field catalog (GET /api/fields)',
    required: ['field', 'operator'],
    additionalProperties: false,
    properties: {
      field: { type: 'string', description: 'A catalog field, e.g. `visits` or `attributes.city`' },
      operator: { type: 'string', enum: [...OPERATORS] },
      value: {
        description:
          'A value of the field type; `[min, max]` for `between`; a list for `in`/`notIn`/`hasAny`/`hasAll`; `{ amount, unit }` for `withinLast`/`notWithinLast`; absent for `exists`/`notExists`',
        nullable: true,
        oneOf: [
          { type: 'string' },
          { type: 'number' },
          { type: 'boolean' },
          { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'number' }] } },
          {
            type: 'object',
            required: ['amount', 'unit'],
            properties: {
              amount: { type: 'number' },
              unit: { type: 'string', enum: [...RELATIVE_UNITS] },
            },
          },
        ],
      },
      ignoreCase: { type: 'boolean', description: 'Case-insensitive string comparison' },
    },
  },
} as const;

const RULE_GROUP_DOC = {
  allOf: [{ $ref: '#/components/schemas/RuleGroup' }],
  description: 'A segment rule tree',
};

/** A rule tree in a response. */
export const rulesSchema = z.unknown().meta(RULE_GROUP_DOC);

/** A rule tree in a request: an object here; core validates it against the field catalog. */
export const rulesInputSchema = z
  .record(z.string(), z.unknown(), {
    error: (issue) =>
      issue.input === undefined
        ? 'is required: a rule tree { combinator, rules }'
        : 'must be a rule tree { combinator, rules }',
  })
  .meta(RULE_GROUP_DOC);

/** `POST /api/segments/preview` body. */
export const previewBodySchema = z.strictObject({
  rules: rulesInputSchema,
  sampleSize: z.number().int().min(0).max(100).optional().describe('Customers in the sample (default 10)'),
});

/** `POST /api/segments/preview` answer. */
export const previewSchema = z.object({ count: z.number().int(), sample: z.array(customerSchema) });

/** A saved segment. */
export const segmentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    rules: rulesSchema,
    version: z.number().int().describe('Incremented on every update; pass as `expectedVersion`'),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Segment' });

/** `POST /api/segments` body. */
export const segmentCreateSchema = z.strictObject({
  id: z.string().min(1).max(200).optional().describe('Your own id; generated when absent'),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  rules: rulesInputSchema,
});

/** `PUT /api/segments/:id` body: any of the fields; `expectedVersion` for optimistic concurrency. */
export const segmentUpdateSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  rules: rulesInputSchema.optional(),
  expectedVersion: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Refused with 409 if the segment changed since'),
});
