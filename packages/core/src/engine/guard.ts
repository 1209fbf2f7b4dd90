import { AdapterError, MiniCrmError } from '../errors.js';

/** Wraps a thrown value in {@link AdapterError} unless it is already a deliberate MiniCRM error. */
export function toAdapterError(operation: string, error: unknown): MiniCrmError {
  return error instanceof MiniCrmError ? error : new AdapterError(operation, error);
}

/**
 * Returns a view of `target` whose methods surface any failure as an {@link AdapterError} naming
 * `role.method` (the adapter's own error is the `cause`). MiniCRM errors an adapter throws on purpose
 * (conflict, not found) pass through unchanged. Nested objects (e.g. `storage.customers`) are wrapped
 * too, so one call guards a whole adapter.
 */
export function guardAdapter<T extends object>(role: string, target: T): T {
  const cache = new Map<PropertyKey, unknown>();
  const obj = target;
  // The proxy's own target is a fresh object: adapters may freeze theirs, and a proxy over a frozen
  // object must return its properties unchanged.
  return new Proxy({} as T, {
    get(_shell, key) {
      const cached = cache.get(key);
      if (cached !== undefined) return cached;
      const value = Reflect.get(obj, key) as unknown;
      let wrapped: unknown = value;
      if (typeof value === 'function') {
        const operation = `${role}.${String(key)}`;
        wrapped = function guarded(this: unknown, ...args: unknown[]) {
          let result: unknown;
          try {
            result = (value as (...a: unknown[]) => unknown).apply(obj, args);
          } catch (error) {
            throw toAdapterError(operation, error);
          }
          if (result instanceof Promise) {
            return result.catch((error: unknown) => {
              throw toAdapterError(operation, error);
            });
          }
          return result;
        };
      } else if (value !== null && typeof value === 'object' && typeof key === 'string') {
        wrapped = guardAdapter(`${role}.${key}`, value);
      }
      cache.set(key, wrapped);
      return wrapped;
    },
    has: (_shell, key) => Reflect.has(obj, key),
  });
}
