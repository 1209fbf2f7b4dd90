const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * True when a path segment can be read with a plain property access (`o.name`) and give the same
 * answer as an own-property read: it is an identifier and no `Object.prototype` member has its name.
 * Other segments (`constructor`, `my-attr`) are read with an own-property check.
 * @internal
 */
export function isPlainSegment(segment: string): boolean {
  return IDENTIFIER.test(segment) && !(segment in Object.prototype);
}

/**
 * A reader of the value at `path` from a customer record: intermediate values must be non-null
 * objects, otherwise the value is missing (`undefined`).
 * @internal
 */
export function fieldReader(path: readonly string[]): (record: unknown) => unknown {
  const [a, b] = path;
  if (path.length === 1 && a !== undefined && isPlainSegment(a)) {
    return (r) => (r as Record<string, unknown>)[a];
  }
  if (path.length === 2 && a !== undefined && b !== undefined && isPlainSegment(a) && isPlainSegment(b)) {
    return (r) => {
      const o = (r as Record<string, unknown>)[a];
      return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[b] : undefined;
    };
  }
  return (r) => {
    let o: unknown = r;
    for (const segment of path) {
      if (typeof o !== 'object' || o === null) return undefined;
      o = Object.hasOwn(o, segment) ? (o as Record<string, unknown>)[segment] : undefined;
    }
    return o;
  };
}
