/**
 * One error shape for every error: `{ statusCode, code, error, message, problems? }`. Core's
 * `MiniCrmError`s map to their HTTP status; request-schema failures become `VALIDATION_FAILED` with
 * each problem and its path; any other 5xx answers a generic message and is logged, never shown.
 */
import { STATUS_CODES } from 'node:http';
import { isMiniCrmError, type MiniCrmErrorCode, type Problem } from '@minicrm/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

/** The body of every error response. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly error: string;
  readonly message: string;
  readonly problems?: readonly Problem[];
}

const CORE_STATUS: Readonly<Record<MiniCrmErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  TEMPLATE_INVALID: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ILLEGAL_TRANSITION: 409,
  ADAPTER_FAILED: 503,
};

/** Fastify's own client errors, by their `FST_*` code. */
const FASTIFY_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

function body(statusCode: number, code: string, message: string, problems?: readonly Problem[]): ErrorBody {
  return {
    statusCode,
    code,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    ...(problems === undefined ? {} : { problems }),
  };
}

const PART_PREFIX: Readonly<Record<string, string | undefined>> = {
  body: undefined,
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/** Converts a request-schema failure to core's `Problem` shape (paths from the body root, or `query`/`params`). */
function schemaProblems(error: FastifyError): Problem[] {
  const prefix = PART_PREFIX[error.validationContext ?? 'body'];
  return (error.validation ?? []).flatMap((issue): Problem[] => {
    const path: (string | number)[] = issue.instancePath
      .split('/')
      .filter((part) => part !== '')
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    if (prefix !== undefined) path.unshift(prefix);
    const keys = (issue.params as { keys?: string[] } | undefined)?.keys;
    if (issue.keyword === 'unrecognized_keys' && keys !== undefined && keys.length > 0) {
      // One problem per unknown key, at its own path.
      return keys.map((key) => ({
        path: [...path, key],
        code: 'unknown_field',
        message: `unknown field "${key}"`,
      }));
    }
    return [{ path, code: issue.keyword, message: issue.message ?? 'is invalid' }];
  });
}

/** Turns any error into the error body and its status. Exported for tests of the mapping. */
export function toErrorBody(error: unknown): { body: ErrorBody; log: boolean } {
  if (isMiniCrmError(error)) {
    const status = CORE_STATUS[error.code];
    const problems = (error as { problems?: readonly Problem[] }).problems;
    if (status >= 500)
      return { body: body(status, error.code, 'a backing service failed; try again'), log: true };
    return { body: body(status, error.code, error.message, problems), log: false };
  }
  const e = error as Partial<FastifyError> & { expose?: boolean };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const problems = schemaProblems(error as FastifyError);
    return {
      body: body(
        400,
        'VALIDATION_FAILED',
        `invalid request: ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
        problems,
      ),
      log: false,
    };
  }
  const status =
    typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
  if (typeof e.code === 'string' && e.code in FASTIFY_CODES) {
    return { body: body(status, FASTIFY_CODES[e.code] as string, e.message ?? 'bad request'), log: false };
  }
  if (e.expose === true && typeof e.code === 'string') {
    return { body: body(status, e.code, e.message ?? ''), log: status >= 500 };
  }
  if (status < 500 && typeof e.code === 'string' && e.code.startsWith('FST_')) {
    return { body: body(status, 'BAD_REQUEST', e.message ?? 'bad request'), log: false };
  }
  if (status < 500 && e.validation !== undefined) {
    return { body: body(400, 'VALIDATION_FAILED', e.message ?? 'invalid request'), log: false };
  }
  return { body: body(500, 'INTERNAL', 'internal server error'), log: true };
}

/** Sets the error and not-found handlers. */
export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const { body: payload, log } = toErrorBody(error);
      if (log) request.log.error({ err: error }, 'request failed');
      else if (payload.statusCode >= 500) request.log.warn({ err: error }, payload.message);
      return reply.code(payload.statusCode).type('application/json').send(payload);
    });
    app.setNotFoundHandler((request, reply) =>
      reply
        .code(404)
        .send(body(404, 'ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
    );
  },
  { name: 'errors', fastify: '5.x' },
);
