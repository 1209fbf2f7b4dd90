/**
 * Stable machine-readable error codes. A code never changes meaning once released.
 *
 * - `VALIDATION_FAILED`: input was malformed; {@link ValidationError.problems} lists each problem.
 * - `NOT_FOUND`: a referenced entity does not exist.
 * - `CONFLICT`: a concurrent change won (optimistic concurrency) or an id is already taken.
 * - `ILLEGAL_TRANSITION`: a state change the state machine does not allow.
 * - `ADAPTER_FAILED`: a storage, queue, bus or channel adapter threw; the original error is `cause`.
 * - `TEMPLATE_INVALID`: a message template does not parse or references unknown variables.
 */
export type MiniCrmErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'ILLEGAL_TRANSITION'
  | 'ADAPTER_FAILED'
  | 'TEMPLATE_INVALID';

/** Base class of every error MiniCRM throws on purpose. Switch on {@link MiniCrmError.code}. */
export class MiniCrmError extends Error {
  /** Stable code; see {@link MiniCrmErrorCode}. */
  readonly code: MiniCrmErrorCode;

  constructor(code: MiniCrmErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MiniCrmError';
    this.code = code;
  }
}

/**
 * One problem found in an input. `path` locates it inside the input, e.g.
 * `['rules', 1, 'rules', 0, 'value']` or `[3, 'customerId']`.
 */
export interface Problem {
  /** Where the problem is, as property names and array indexes from the input's root. */
  readonly path: readonly (string | number)[];
  /** A sentence a person can act on. */
  readonly message: string;
  /** Short machine-readable reason, e.g. `unknown_field`, `invalid_type`, `operator_not_allowed`. */
  readonly code: string;
}

/** Formats a path as `rules[1].rules[0].value`; the root is `(root)`. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** Input was refused. Nothing was changed. Every problem is listed with its path. */
export class ValidationError extends MiniCrmError {
  /** Every problem found, in input order. Never empty. */
  readonly problems: readonly Problem[];

  constructor(what: string, problems: readonly Problem[]) {
    const lines = problems.map((p) => `  - ${formatPath(p.path)}: ${p.message}`);
    super(
      'VALIDATION_FAILED',
      `${what}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${lines.join('\n')}`,
    );
    this.name = 'ValidationError';
    this.problems = problems;
  }
}

/** A referenced entity does not exist. */
export class NotFoundError extends MiniCrmError {
  /** The kind of entity, e.g. `campaign`. */
  readonly entity: string;
  /** The id that was looked up. */
  readonly id: string;

  constructor(entity: string, id: string) {
    super('NOT_FOUND', `${entity} "${id}" does not exist`);
    this.name = 'NotFoundError';
    this.entity = entity;
    this.id = id;
  }
}

/** A concurrent change won, or an id is already taken. Re-read and try again. */
export class ConflictError extends MiniCrmError {
  constructor(message: string) {
    super('CONFLICT', message);
    this.name = 'ConflictError';
  }
}

/** A state change the state machine does not allow, e.g. resuming a completed campaign. */
export class IllegalTransitionError extends MiniCrmError {
  /** The kind of entity, e.g. `campaign`. */
  readonly entity: string;
  /** The state it was in. */
  readonly from: string;
  /** The state that was asked for. */
  readonly to: string;

  constructor(entity: string, id: string, from: string, to: string) {
    super('ILLEGAL_TRANSITION', `${entity} "${id}" cannot go from "${from}" to "${to}"`);
    this.name = 'IllegalTransitionError';
    this.entity = entity;
    this.from = from;
    this.to = to;
  }
}

/** An adapter (storage, queue, bus, channel) threw. The adapter's own error is `cause`. */
export class AdapterError extends MiniCrmError {
  /** The adapter role and method, e.g. `storage.deliveries.transitionMany`. */
  readonly operation: string;

  constructor(operation: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('ADAPTER_FAILED', `${operation} failed: ${detail}`, { cause });
    this.name = 'AdapterError';
    this.operation = operation;
  }
}

/** A message template does not parse, or references variables that do not exist. */
export class TemplateError extends MiniCrmError {
  /** Every problem found. */
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    const lines = problems.map((p) => `  - ${formatPath(p.path)}: ${p.message}`);
    super('TEMPLATE_INVALID', `invalid template\n${lines.join('\n')}`);
    this.name = 'TemplateError';
    this.problems = problems;
  }
}

/** True when `error` is a {@link MiniCrmError}, optionally with the given code. */
export function isMiniCrmError(error: unknown, code?: MiniCrmErrorCode): error is MiniCrmError {
  return error instanceof MiniCrmError && (code === undefined || error.code === code);
}
