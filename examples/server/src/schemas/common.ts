/**
 * Schemas shared by every route: the error body, pagination, ids, and the helper that documents a
 * body part validated by core rather than by the HTTP layer.
 */
import { z } from 'zod';

/** One problem of a refused input: where it is, a machine-readable reason, and a sentence. */
export const problemSchema = z
  .object({
    path: z
      .array(z.union([z.string(), z.number()]))
      .readonly()
      .describe('Where the problem is, from the input root'),
    code: z.string().describe('Machine-readable reason, e.g. `unknown_field`, `invalid_type`'),
    message: z.string(),
  })
  .meta({ id: 'Problem' });

/** The body of every error response. */
export const errorSchema = z
  .object({
    statusCode: z.number().int(),
    code: z
      .string()
      .describe(
        'Stable error code: VALIDATION_FAILED, NOT_FOUND, CONFLICT, ILLEGAL_TRANSITION, UNAUTHORIZED, BAD_SIGNATURE, MALFORMED_JSON, PAYLOAD_TOO_LARGE, RATE_LIMITED, …',
      ),
    error: z.string().describe('HTTP reason phrase'),
    message: z.string(),
    problems: z
      .array(problemSchema)
      .readonly()
      .optional()
      .describe('Every validation problem, with its path'),
  })
  .meta({ id: 'Error' });

/** Error responses most routes can give. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  409: errorSchema,
  413: errorSchema,
  415: errorSchema,
  429: errorSchema,
  500: errorSchema,
  503: errorSchema,
} as const;

/** `Authorization: Bearer <token>` on a route, for the OpenAPI document. */
export const bearerAuth = [{ bearerAuth: [] }];

/** Path parameter `:id`. */
export const idParams = z.strictObject({ id: z.string().min(1).max(200) });

/** `?limit&cursor` of a cursor-paginated listing. */
export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(50).describe('Items per page (1–1000)'),
  cursor: z.string().min(1).max(2000).optional().describe('`nextCursor` of the previous page'),
});

/** A page of `item`. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item).readonly(),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; `null` on the last'),
  });
}

/** A JSON value in an OpenAPI-compatible schema. */
export const jsonObject = z.record(z.string(), z.unknown());

/**
 * A body part that core validates (item by item, against the field catalog), documented in
 * OpenAPI by `documentation`. The HTTP layer only checks it is an object, so that one bad item of a
 * batch is reported by core with its path instead of refusing the whole request.
 */
export function validatedByCore<T extends z.ZodType>(documentation: T, description: string) {
  const json = z.toJSONSchema(documentation, { target: 'openapi-3.0', unrepresentable: 'any', io: 'input' });
  return jsonObject.meta({ ...json, description });
}
