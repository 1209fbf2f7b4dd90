import { compileErrors, validate } from '@readme/openapi-parser';
import type { RouteOptions } from 'fastify';
import type { OpenAPIV3 } from 'openapi-types';
import { describe, expect, it } from 'vitest';
import { build } from './helper.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** `/api/customers/:id` → `/api/customers/{id}` */
function openApiPath(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}');
}

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3 document that lists every route with its request and response schemas', async () => {
    const routes: RouteOptions[] = [];
    const server = await build({}, { onRoute: (route) => routes.push(route) });
    const answer = await server.request<OpenAPIV3.Document>('GET', '/openapi.json', { token: null });
    expect(answer.status).toBe(200);
    const doc = answer.body;
    expect(doc.openapi).toMatch(/^3\./);

    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);

    // Every route the app registered, but the documentation's own and HEAD twins, is documented.
    const registered = routes
      .flatMap((r) =>
        (Array.isArray(r.method) ? r.method : [r.method]).map((m) => [m.toLowerCase(), r] as const),
      )
      .filter(([m, r]) => m !== 'head' && r.schema?.hide !== true && !r.url.startsWith('/docs'))
      .map(([m, r]) => `${m} ${openApiPath(r.url)}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, item]) => METHODS.filter((m) => item?.[m] !== undefined).map((m) => `${m} ${path}`))
      .sort();
    expect(documented).toEqual(registered);
    expect(registered.length).toBeGreaterThanOrEqual(30);
    for (const expected of [
      'post /api/auth/dev-login',
      'post /api/auth/google',
      'get /api/fields',
      'post /api/customers',
      'get /api/customers',
      'get /api/customers/{id}',
      'post /api/customers/import',
      'get /api/imports/{jobId}',
      'post /api/orders',
      'post /api/events',
      'post /api/segments/preview',
      'put /api/segments/{id}',
      'delete /api/segments/{id}',
      'post /api/campaigns/{id}/launch',
      'post /api/campaigns/{id}/retry-failed',
      'get /api/campaigns/{id}/deliveries',
      'get /api/campaigns/{id}/events',
      'post /api/campaigns/{id}/test-send',
      'post /api/receipts',
      'post /api/ai/suggest-messages',
      'post /vendor/send',
      'get /health',
      'get /ready',
      'get /metrics',
    ]) {
      expect(documented).toContain(expected);
    }

    // Each operation declares a success response with a schema, and a body schema where it takes one.
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item?.[method];
        if (op === undefined) continue;
        const success = Object.entries(op.responses).find(([status]) => status.startsWith('2'));
        expect(success, `${method} ${path}`).toBeDefined();
        if (method === 'post' || method === 'put') {
          const hasBody = op.requestBody !== undefined;
          const takesNone = /\/(launch|pause|resume|cancel|retry-failed)$/.test(path);
          expect(hasBody, `${method} ${path} request body`).toBe(!takesNone);
        }
        if (path.startsWith('/api/') && !path.startsWith('/api/auth/') && path !== '/api/receipts') {
          expect(op.security, `${method} ${path} security`).toEqual([{ bearerAuth: [] }]);
          expect(Object.keys(op.responses), `${method} ${path} 401`).toContain('401');
        }
      }
    }
    const schemas = doc.components?.schemas ?? {};
    for (const name of [
      'Error',
      'Problem',
      'Customer',
      'Segment',
      'Campaign',
      'CampaignStats',
      'Delivery',
      'RuleGroup',
      'RuleCondition',
    ]) {
      expect(Object.keys(schemas)).toContain(name);
    }
  });

  it('serves Swagger UI at /docs', async () => {
    const server = await build();
    const docs = await fetch(`${server.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });
});
