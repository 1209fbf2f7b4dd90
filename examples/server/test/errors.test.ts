import {
  AdapterError,
  ConflictError,
  IllegalTransitionError,
  NotFoundError,
  TemplateError,
  ValidationError,
} from '@minicrm/core';
import { describe, expect, it } from 'vitest';
import { toErrorBody } from '../src/plugins/errors.js';
import { HttpError } from '../src/plugins/http-error.js';

describe('the error shape', () => {
  it.each([
    [
      new ValidationError('invalid x', [
        { path: ['a', 0], code: 'invalid_type', message: 'must be a string' },
      ]),
      400,
      'VALIDATION_FAILED',
      true,
    ],
    [
      new TemplateError([{ path: ['template'], code: 'unknown_variable', message: 'no such variable' }]),
      400,
      'TEMPLATE_INVALID',
      true,
    ],
    [new NotFoundError('campaign', 'c1'), 404, 'NOT_FOUND', false],
    [new ConflictError('someone else won'), 409, 'CONFLICT', false],
    [new IllegalTransitionError('campaign', 'c1', 'draft', 'paused'), 409, 'ILLEGAL_TRANSITION', false],
    [new HttpError(401, 'BAD_SIGNATURE', 'bad signature'), 401, 'BAD_SIGNATURE', false],
  ])('keeps the status, code and message of %s', (error, status, code, problems) => {
    const { body, log } = toErrorBody(error);
    expect(log).toBe(false);
    expect(body).toMatchObject({ statusCode: status, code, message: (error as Error).message });
    expect('problems' in body).toBe(problems);
  });

  it('withholds the message of adapter failures and unexpected errors, and asks for a log', () => {
    const adapter = toErrorBody(
      new AdapterError('storage.customers.get', new Error('ECONNREFUSED 10.0.0.7:6379')),
    );
    expect(adapter).toEqual({
      body: {
        statusCode: 503,
        code: 'ADAPTER_FAILED',
        error: 'Service Unavailable',
        message: 'a backing service failed; try again',
      },
      log: true,
    });
    for (const error of [
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      'a string',
      Object.assign(new Error('upstream said no'), { statusCode: 502, code: 'X' }),
    ]) {
      expect(toErrorBody(error)).toEqual({
        body: {
          statusCode: 500,
          code: 'INTERNAL',
          error: 'Internal Server Error',
          message: 'internal server error',
        },
        log: true,
      });
    }
  });

  it('keeps exposed 5xx errors with a code, such as a provider timeout', () => {
    const error = Object.assign(new Error('the AI provider did not answer in time'), {
      statusCode: 504,
      code: 'AI_PROVIDER_TIMEOUT',
      expose: true,
    });
    expect(toErrorBody(error).body).toEqual({
      statusCode: 504,
      code: 'AI_PROVIDER_TIMEOUT',
      error: 'Gateway Timeout',
      message: 'the AI provider did not answer in time',
    });
  });
});
