import { describe, expect, it } from 'vitest';
import { allPages } from './campaign-flow.js';
import { build, type TestServer } from './helper.js';

const ADA = { id: 'c1', name: 'Ada Lovelace', email: 'ada@example.com', phone: '+15550100001' };
const ALAN = {
  id: 'c2',
  name: 'Alan Turing',
  phone: '+15550100002',
  attributes: { city: 'Pune', tags: ['vip'] },
};

async function waitImport(server: TestServer, jobId: string) {
  for (;;) {
    const job = await server.request('GET', `/api/imports/${jobId}`);
    expect(job.status).toBe(200);
    if (job.body.status !== 'running') return job.body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('customers', () => {
  it('upserts one customer or a batch, and reports each bad item without refusing the good ones', async () => {
    const server = await build();
    const one = await server.request('POST', '/api/customers', { body: ADA });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ created: ['c1'], updated: [], rejected: [] });

    const batch = await server.request('POST', '/api/customers', {
      body: { customers: [{ ...ADA, name: 'Ada King' }, ALAN, { id: 'c3', name: 42 }, { id: 'c4' }] },
    });
    expect(batch.status).toBe(200);
    expect(batch.body.created).toEqual(['c2']);
    expect(batch.body.updated).toEqual(['c1']);
    expect(batch.body.rejected).toEqual([
      {
        index: 2,
        problems: [{ path: ['customers', 2, 'name'], code: 'invalid_type', message: expect.any(String) }],
      },
      {
        index: 3,
        problems: [{ path: ['customers', 3, 'name'], code: expect.any(String), message: expect.any(String) }],
      },
    ]);
    const ada = await server.request('GET', '/api/customers/c1');
    expect(ada.status).toBe(200);
    expect(ada.body).toMatchObject({ id: 'c1', name: 'Ada King', totalSpend: 0, orderCount: 0, visits: 0 });
    expect(ada.body).not.toHaveProperty('baseline');
    expect((await server.request('GET', '/api/customers/c3')).status).toBe(404);
    const missing = await server.request('GET', '/api/customers/nobody');
    expect(missing.body).toEqual({
      statusCode: 404,
      code: 'NOT_FOUND',
      error: 'Not Found',
      message: 'customer "nobody" does not exist',
    });
  });

  it('lists customers with a cursor and searches them with q', async () => {
    const server = await build();
    const customers = Array.from({ length: 25 }, (_, i) => ({
      id: `cus_${String(i).padStart(3, '0')}`,
      name: i % 5 === 0 ? `Meera ${i}` : `Ravi ${i}`,
      email: `user${i}@example.com`,
    }));
    await server.request('POST', '/api/customers', { body: { customers } });
    const first = await server.request('GET', '/api/customers?limit=10');
    expect(first.body.items.map((c: { id: string }) => c.id)).toEqual(
      customers.slice(0, 10).map((c) => c.id),
    );
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const all = await allPages<{ id: string }>(server, '/api/customers', 7);
    expect(all.map((c) => c.id)).toEqual(customers.map((c) => c.id));

    const meeras = await allPages<{ name: string }>(server, '/api/customers?q=meera', 3);
    expect(meeras.map((c) => c.name)).toEqual(['Meera 0', 'Meera 5', 'Meera 10', 'Meera 15', 'Meera 20']);
    const byEmail = await server.request('GET', '/api/customers?q=USER7@');
    expect(byEmail.body.items.map((c: { id: string }) => c.id)).toEqual(['cus_007']);
    const byId = await server.request('GET', '/api/customers?q=cus_02');
    expect(byId.body.items.map((c: { id: string }) => c.id)).toEqual([
      'cus_020',
      'cus_021',
      'cus_022',
      'cus_023',
      'cus_024',
    ]);
  });
});

describe('orders and events', () => {
  it('moves the aggregates once per id, and reports unknown customers', async () => {
    const server = await build();
    await server.request('POST', '/api/customers', { body: { customers: [ADA, ALAN] } });
    const orders = await server.request('POST', '/api/orders', {
      body: {
        orders: [
          { id: 'o1', customerId: 'c1', amount: '12000.50', createdAt: '2026-01-10T09:00:00Z' },
          { id: 'o2', customerId: 'c1', amount: 99.5, createdAt: '2026-02-10T09:00:00Z' },
          { id: 'o3', customerId: 'ghost', amount: '1', createdAt: '2026-02-10T09:00:00Z' },
        ],
      },
    });
    expect(orders.status).toBe(200);
    expect(orders.body.applied).toEqual(['o1', 'o2']);
    expect(orders.body.rejected).toEqual([
      {
        index: 2,
        problems: [
          { path: ['orders', 2, 'customerId'], code: 'unknown_customer', message: expect.any(String) },
        ],
      },
    ]);
    const again = await server.request('POST', '/api/orders', {
      body: { id: 'o1', customerId: 'c1', amount: '12000.50', createdAt: '2026-01-10T09:00:00Z' },
    });
    expect(again.body).toEqual({ applied: [], duplicates: ['o1'], rejected: [] });
    const events = await server.request('POST', '/api/events', {
      body: { events: [{ id: 'v1', customerId: 'c1', type: 'visit', at: '2026-02-03T18:30:00Z' }] },
    });
    expect(events.body.applied).toEqual(['v1']);
    await server.request('POST', '/api/events', {
      body: { id: 'v1', customerId: 'c1', type: 'visit', at: '2026-02-03T18:30:00Z' },
    });
    const ada = await server.request('GET', '/api/customers/c1');
    expect(ada.body).toMatchObject({
      totalSpend: 12100,
      totalSpendMinor: 1_210_000,
      orderCount: 2,
      visits: 1,
      lastVisitAt: '2026-02-03T18:30:00.000Z',
      lastOrderAt: '2026-02-10T09:00:00.000Z',
    });
  });
});

describe('CSV import', () => {
  it('answers 202 with a job that imports the good rows and reports bad rows by line', async () => {
    const server = await build();
    const csv = [
      'id,name,email,phone,attributes.city,attributes.tags,unknown',
      'c1,Ada Lovelace,ada@example.com,+15550100001,Pune,vip|newsletter,x',
      'c2,,alan@example.com,,Delhi,,',
      'c3,Grace Hopper,not-an-email,,Atlantis,,',
      'c4,Linus,,+15550100004,Mumbai,,',
    ].join('\n');
    const started = await server.request('POST', '/api/customers/import', {
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ jobId: expect.stringMatching(/^imp_/) });
    expect(started.headers.get('location')).toBe(`/api/imports/${started.body.jobId}`);
    const job = await waitImport(server, started.body.jobId);
    expect(job).toMatchObject({
      status: 'completed',
      progress: { rows: 4, imported: 2, created: 2, updated: 0, failed: 2 },
      ignoredColumns: ['unknown'],
      errorsTruncated: false,
    });
    const lines = job.errors.map((e: { line: number }) => e.line);
    expect(lines).toEqual([1, 3, 4]);
    expect(job.errors[1].problems[0].path).toEqual(['name']);
    expect(job.errors[2].problems.map((p: { path: string[] }) => p.path[0]).sort()).toEqual([
      'attributes.city',
      'email',
    ]);
    const ada = await server.request('GET', '/api/customers/c1');
    expect(ada.body.attributes).toEqual({ city: 'Pune', tags: ['vip', 'newsletter'] });
    expect((await server.request('GET', '/api/customers/c3')).status).toBe(404);
    expect((await server.request('GET', '/api/imports/imp_nope')).status).toBe(404);
  });
});
