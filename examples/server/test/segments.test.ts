import { DEMO_SEGMENTS } from '@minicrm/core';
import { describe, expect, it } from 'vitest';
import { build } from './helper.js';

const BIG_SPENDERS = DEMO_SEGMENTS['Spend > 10,000'];

describe('field catalog', () => {
  it('lists the built-in fields and the demo attributes with their operators', async () => {
    const server = await build();
    const answer = await server.request('GET', '/api/fields');
    expect(answer.status).toBe(200);
    const byName = new Map(answer.body.fields.map((f: { name: string }) => [f.name, f]));
    expect(byName.get('totalSpend')).toMatchObject({
      type: 'number',
      builtIn: true,
      operators: expect.arrayContaining(['>', 'between']),
    });
    expect(byName.get('lastVisitAt')).toMatchObject({
      type: 'date',
      operators: expect.arrayContaining(['notWithinLast']),
    });
    expect(byName.get('attributes.city')).toMatchObject({
      type: 'enum',
      builtIn: false,
      options: expect.arrayContaining([{ value: 'Pune', label: 'Pune' }]),
    });
  });
});

describe('segments', () => {
  it('previews a rule tree on the seeded demo data', async () => {
    const server = await build({ SEED_DEMO_DATA: 'true', DEMO_CUSTOMERS: '200' });
    const preview = await server.request('POST', '/api/segments/preview', {
      body: { rules: BIG_SPENDERS, sampleSize: 3 },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.count).toBeGreaterThan(0);
    expect(preview.body.sample).toHaveLength(3);
    for (const c of preview.body.sample) expect(c.totalSpend).toBeGreaterThan(10_000);
    // The demo segments are saved too.
    const saved = await server.request('GET', '/api/segments');
    expect(saved.body.items.map((s: { id: string }) => s.id)).toEqual([
      'seg_demo_1',
      'seg_demo_2',
      'seg_demo_3',
      'seg_demo_4',
      'seg_demo_5',
    ]);
  });

  it('creates, reads, lists, updates with optimistic concurrency, and deletes', async () => {
    const server = await build();
    const created = await server.request('POST', '/api/segments', {
      body: { name: 'Big spenders', description: 'Spend over 10k', rules: BIG_SPENDERS },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Big spenders', version: 1, rules: BIG_SPENDERS });
    const id = created.body.id as string;
    expect((await server.request('GET', `/api/segments/${id}`)).body).toEqual(created.body);
    const list = await server.request('GET', '/api/segments?limit=10');
    expect(list.body).toEqual({ items: [created.body], nextCursor: null });

    const updated = await server.request('PUT', `/api/segments/${id}`, {
      body: { name: 'Very big spenders', expectedVersion: 1 },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Very big spenders', version: 2 });
    const stale = await server.request('PUT', `/api/segments/${id}`, {
      body: { name: 'Late', expectedVersion: 1 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('CONFLICT');
    expect((await server.request('GET', `/api/segments/${id}`)).body.name).toBe('Very big spenders');

    expect((await server.request('DELETE', `/api/segments/${id}`)).status).toBe(204);
    expect((await server.request('GET', `/api/segments/${id}`)).status).toBe(404);
    expect((await server.request('DELETE', `/api/segments/${id}`)).status).toBe(404);
  });

  it('refuses rules that do not fit the catalog, listing each problem with its path', async () => {
    const server = await build();
    const answer = await server.request('POST', '/api/segments', {
      body: {
        name: 'Bad',
        rules: {
          combinator: 'and',
          rules: [
            { field: 'totalSpend', operator: '>', value: 'lots' },
            { combinator: 'or', rules: [{ field: 'nope', operator: '=', value: 1 }] },
          ],
        },
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(answer.body.problems.map((p: { path: unknown[] }) => p.path)).toEqual([
      ['rules', 'rules', 0, 'value'],
      ['rules', 'rules', 1, 'rules', 0, 'field'],
    ]);
    expect((await server.request('GET', '/api/segments')).body.items).toEqual([]);
  });
});
