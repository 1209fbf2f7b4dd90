/**
 * Bad input, case by case: each answer is the right 4xx with the stable error code (and every
 * problem with its path), and nothing changes: customers, segments and campaigns read back equal.
 */
import type { Channel } from '@minicrm/core';
import { describe, expect, it } from 'vitest';
import { allPages } from './campaign-flow.js';
import { build, type TestServer } from './helper.js';

const CUSTOMER = { id: 'c1', name: 'Asha Rao', phone: '+919800000001' };
const RULES = { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] };

function nested(depth: number): unknown {
  let group: unknown = { combinator: 'and', rules: [{ field: 'visits', operator: '>', value: 1 }] };
  for (let i = 0; i < depth; i++) group = { combinator: 'or', rules: [group] };
  return group;
}

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly token?: null;
  readonly signature?: string | null;
  readonly status: number;
  readonly code: string;
  /** Problem paths expected, in order. */
  readonly paths?: readonly (readonly (string | number)[])[];
}

const CASES: Case[] = [
  {
    name: 'malformed JSON',
    path: '/api/customers',
    body: '{"id": "c9", ',
    status: 400,
    code: 'MALFORMED_JSON',
  },
  {
    name: 'an empty JSON body',
    path: '/api/orders',
    body: '',
    headers: { 'content-type': 'application/json' },
    status: 400,
    code: 'MALFORMED_JSON',
  },
  {
    name: 'a __proto__ key',
    path: '/api/customers',
    body: '{"id":"c9","name":"X","__proto__":{"admin":true}}',
    status: 400,
    code: 'MALFORMED_JSON',
  },
  {
    name: 'a wrong type',
    path: '/api/customers',
    body: { id: 'c9', name: 42 },
    status: 400,
    code: 'VALIDATION_FAILED',
    paths: [['name']],
  },
  {
    name: 'a batch that is not an array',
    path: '/api/customers',
    body: { customers: 'all of them' },
    status: 400,
    code: 'VALIDATION_FAILED',
    paths: [['customers']],
  },
  {
    name: 'a batch of only bad items',
    path: '/api/customers',
    body: { customers: [{ id: 'c9' }, { id: 7, name: 'Y' }] },
    status: 400,
    code: 'VALIDATION_FAILED',
    paths: [
      ['customers', 0, 'name'],
      ['customers', 1, 'id'],
    ],
  },
  {
    name: 'an unknown customer field',
    path: '/api/customers',
    body: { ...CUSTOMER, id: 'c9', shoeSize: 42 },
    status: 400,
    code: 'VALIDATION_FAILED',
    paths: [['shoeSize']],
  },
  {
    name: 'an unknown campaign field',
    path: '/api/campaigns',
    body: { name: 'X', rules: RULES, channel: 'sms', template: 'Hi', priority: 'high' },
    status: 400,
    code: 'VALIDATION_FAILED',
    paths: [['priority']],
  },
  {
    name: 'an order for an unknown customer',
    path: '/api/orders',
    body: { id: 'o9', customerId: 'ghost', amount: '10', createdAt: '2026-01-01' },
    status: 400,
    code: 'VALIDATION_FAILED',
    paths: [['customerId']],
  },
  {
    name: 'an unknown operator in a rule',
    path: '/api/segments/preview',
    body: { rules: { combinator: 'and', rules: [{ field: 'visits', operator: '$gt', value: 1 }] } },
    status: 400,
    code: 'VALIDATION_FAILED',
    paths: [['rules', 'rules', 0, 'operator']],
  },
  {
    name: 'a field named $where in a rule',
    path: '/api/segments',
    body: {
      name: 'Injected',
      rules: { combinator: 'and', rules: [{ field: '$where', operator: '=', value: 'sleep(1000)' }] },
    },
    status: 400,
    code: 'VALIDATION_FAILED',
    paths: [['rules', 'rules', 0, 'field']],
  },
  {
    name: 'a rule tree nested too deep',
    path: '/api/segments/preview',
    body: { rules: nested(12) },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'a campaign with a negative throttle',
    path: '/api/campaigns',
    body: { name: 'X', rules: RULES, channel: 'sms', template: 'Hi', throttlePerSecond: -1 },
    status: 400,
    code: 'VALIDATION_FAILED',
    paths: [['throttlePerSecond']],
  },
  {
    name: 'a campaign on an unknown channel',
    path: '/api/campaigns',
    body: { name: 'X', rules: RULES, channel: 'fax', template: 'Hi' },
    status: 400,
    code: 'VALIDATION_FAILED',
    paths: [['channel']],
  },
  {
    name: 'a query parameter of the wrong type',
    method: 'GET',
    path: '/api/customers?limit=lots',
    status: 400,
    code: 'VALIDATION_FAILED',
    paths: [['query', 'limit']],
  },
  {
    name: 'an unknown query parameter',
    method: 'GET',
    path: '/api/segments?sort=name',
    status: 400,
    code: 'VALIDATION_FAILED',
    paths: [['query', 'sort']],
  },
  {
    name: 'an oversized body',
    path: '/api/customers',
    body: { ...CUSTOMER, id: 'c9', name: 'x'.repeat(5000) },
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'an unsupported content type',
    path: '/api/customers',
    body: '<customer/>',
    headers: { 'content-type': 'application/xml' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a CSV without an id column',
    path: '/api/customers/import',
    body: 'name,email\nAda,ada@example.com\n',
    headers: { 'content-type': 'text/csv' },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'an empty CSV',
    path: '/api/customers/import',
    body: '\n',
    headers: { 'content-type': 'text/csv' },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'a missing token',
    path: '/api/customers',
    body: { ...CUSTOMER, id: 'c9' },
    token: null,
    status: 401,
    code: 'UNAUTHORIZED',
  },
  {
    name: 'a forged token',
    path: '/api/customers',
    body: { ...CUSTOMER, id: 'c9' },
    headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
    token: null,
    status: 401,
    code: 'UNAUTHORIZED',
  },
  {
    name: 'a receipt with a bad signature',
    path: '/api/receipts',
    body: { id: 'r1', deliveryId: 'x', status: 'DELIVERED', at: 1 },
    signature: 't=1,v1=00',
    status: 401,
    code: 'BAD_SIGNATURE',
  },
  {
    name: 'a receipt without a signature',
    path: '/api/receipts',
    body: { id: 'r1', deliveryId: 'x', status: 'DELIVERED', at: 1 },
    signature: null,
    status: 401,
    code: 'MISSING_SIGNATURE',
  },
  {
    name: 'an unknown route',
    method: 'GET',
    path: '/api/nothing-here',
    status: 404,
    code: 'ROUTE_NOT_FOUND',
  },
];

async function snapshot(server: TestServer) {
  return {
    customers: await allPages(server, '/api/customers'),
    segments: await allPages(server, '/api/segments'),
    campaigns: await allPages(server, '/api/campaigns'),
  };
}

describe('bad input', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: right 4xx, state unchanged', async (_name, c) => {
    const server = await build({ BODY_LIMIT_BYTES: '4096' });
    await server.request('POST', '/api/customers', { body: CUSTOMER });
    await server.request('POST', '/api/orders', {
      body: { id: 'o1', customerId: 'c1', amount: '100', createdAt: '2026-01-01' },
    });
    await server.request('POST', '/api/segments', { body: { name: 'All', rules: RULES } });
    await server.request('POST', '/api/campaigns', {
      body: { name: 'Hi', rules: RULES, channel: 'sms', template: 'Hi' },
    });
    const before = await snapshot(server);

    const answer =
      c.signature !== undefined
        ? await server.postReceipts(
            c.body,
            c.signature === null ? { signature: null } : { signature: c.signature },
          )
        : await server.request(c.method ?? 'POST', c.path, {
            ...(c.body === undefined ? {} : { body: c.body }),
            ...(c.headers === undefined ? {} : { headers: c.headers }),
            ...(c.token === null ? { token: null } : {}),
          });
    expect(answer.status).toBe(c.status);
    expect(answer.body).toMatchObject({
      statusCode: c.status,
      code: c.code,
      error: expect.any(String),
      message: expect.any(String),
    });
    if (c.paths !== undefined) {
      expect(answer.body.problems.map((p: { path: unknown[] }) => p.path)).toEqual(c.paths);
      for (const p of answer.body.problems)
        expect(p).toEqual({ path: p.path, code: expect.any(String), message: expect.any(String) });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('never leaks internals on a 500', async () => {
    const broken: Channel = {
      name: 'sms',
      address() {
        throw new Error('connect ECONNREFUSED 10.0.0.7:5432 (password=hunter2)');
      },
      send: async () => ({ status: 'accepted' }),
    };
    const server = await build({}, { channels: [broken] });
    await server.request('POST', '/api/customers', { body: CUSTOMER });
    const campaign = await server.request('POST', '/api/campaigns', {
      body: { name: 'Hi', rules: RULES, channel: 'sms', template: 'Hi' },
    });
    const answer = await server.request('POST', `/api/campaigns/${campaign.body.id}/test-send`, {
      body: { customerId: 'c1' },
    });
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({
      statusCode: 500,
      code: 'INTERNAL',
      error: 'Internal Server Error',
      message: 'internal server error',
    });
  });
});
