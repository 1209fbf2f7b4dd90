/** Drops component schemas that nothing in the OpenAPI document references. */

type Json = unknown;

function refsIn(value: Json, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
        out.add(v.slice('#/components/schemas/'.length));
      } else {
        refsIn(v, out);
      }
    }
  }
}

/**
 * Keeps only the component schemas reachable from the paths. The zod transform emits an input and
 * an output variant of every named schema; the unused variants would only confuse readers.
 */
export function pruneUnreferencedSchemas<
  T extends { paths?: Json; components?: { schemas?: Record<string, Json> } },
>(doc: T): T {
  const schemas = doc.components?.schemas;
  if (schemas === undefined) return doc;
  const keep = new Set<string>();
  refsIn(doc.paths, keep);
  let size = -1;
  while (keep.size !== size) {
    size = keep.size;
    for (const name of [...keep]) refsIn(schemas[name], keep);
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => keep.has(name)));
  return { ...doc, components: { ...doc.components, schemas: kept } };
}
