import { expect } from 'vitest';
import { formatPath, type MiniCrmError, type Problem } from '../../src/index.js';

/**
 * Awaits a rejection (of a promise, or of a call that may also throw synchronously) and checks its
 * class and code.
 */
export async function rejection<E extends MiniCrmError>(
  call: Promise<unknown> | (() => unknown),
  type: new (...args: never[]) => E,
  code: string,
): Promise<E> {
  const promise = typeof call === 'function' ? Promise.resolve().then(call) : call;
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as E).code).toBe(code);
  return error as E;
}

/** `[path, code]` pairs, sorted, for an order-independent exact comparison. */
export function pairs(problems: readonly Problem[]): [string, string][] {
  return problems.map((p): [string, string] => [formatPath(p.path), p.code]).sort();
}

/** The problems' paths, formatted and sorted. */
export const paths = (problems: readonly Problem[]): string[] =>
  problems.map((p) => formatPath(p.path)).sort();

/** A sorted copy of `[path, code]` pairs. */
export const sorted = (list: [string, string][]): [string, string][] => [...list].sort();
