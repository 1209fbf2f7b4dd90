import { describe, expect, it } from 'vitest';
import { waitFinished } from './campaign-flow.js';
import { build, type TestServer } from './helper.js';

/** How long `/health` may take to answer while a costly template is tried (it blocked for 1.7–3.6 s). */
const HEALTH_BOUND_MS = 500;
const EVERYONE = { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] };

/**
 * Runs `work` while `/health` is asked again and again (one request always in flight, so any stall
 * of the server's event loop delays one). Returns what `work` returned and the slowest answer.
 */
async function whileHealthPolled<T>(
  server: TestServer,
  work: () => Promise<T>,
): Promise<{ value: T; slowestMs: number; polls: number }> {
  let done = false;
  let slowestMs = 0;
  let polls = 0;
  const poller = (async () => {
    while (!done || polls === 0) {
      const start = performance.now();
      const answer = await server.request('GET', '/health', { token: null });
      expect(answer.status).toBe(200);
      slowestMs = Math.max(slowestMs, performance.now() - start);
      polls++;
    }
  })();
  try {
    return { value: await work(), slowestMs, polls };
  } finally {
    done = true;
    await poller;
  }
}

function createCampaign(server: TestServer, template: string) {
  return server.request('POST', '/api/campaigns', {
    body: { name: 'Costly', rules: EVERYONE, channel: 'sms', template },
  });
}

describe('template limits over HTTP', () => {
  it('refuses costly templates at create with a 400 naming the template, and /health keeps answering', async () => {
    const server = await build();
    const templates: [string, string][] = [
      ['{% for i in (1..20000000) %}x{% endfor %}', 'range_too_large'],
      [
        '{% for a in (1..200) %}{% for b in (1..200) %}{% for c in (1..200) %}x{% endfor %}{% endfor %}{% endfor %}',
        'template_too_costly',
      ],
      [
        '{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}',
        'template_memory_limit',
      ],
    ];
    const { value: answers, slowestMs } = await whileHealthPolled(server, () =>
      Promise.all(templates.map(([template]) => createCampaign(server, template))),
    );
    expect(slowestMs).toBeLessThan(HEALTH_BOUND_MS);
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('VALIDATION_FAILED');
      expect(answer.body.problems).toEqual([
        { path: ['template'], code: templates[i]?.[1], message: expect.any(String) },
      ]);
    });
    expect(answers[0]?.body.problems[0].message).toBe(
      'range (1..20000000) (line 1, column 13) has 20000000 items; a message template may use ranges of at most 10000',
    );
    expect((await server.request('GET', '/api/campaigns')).body.items).toEqual([]);
  });

  it('a template that breaks on one customer: test-send refuses it quickly, launch fails the campaign with the reason', async () => {
    const server = await build({ SIMULATOR_SUCCESS_RATE: '1' });
    await server.request('POST', '/api/customers', {
      body: {
        customers: [
          { id: 'c1', name: 'Asha Rao', phone: '+919800000001', visits: 2 },
          { id: 'c2', name: 'Ravi Iyer', phone: '+919800000002', visits: 20_000_000 },
        ],
      },
    });
    const created = await createCampaign(
      server,
      'Hi {{ customer.name }}{% for i in (1..customer.visits) %}!{% endfor %}',
    );
    expect(created.status).toBe(201);
    const id = created.body.id;
    const reason =
      'rendering builds more than 1000000 items of ranges, arrays and strings (line 1, column 23)';

    const { value: tests, slowestMs } = await whileHealthPolled(server, () =>
      Promise.all(
        ['c1', 'c2', 'c2'].map((customerId) =>
          server.request('POST', `/api/campaigns/${id}/test-send`, { body: { customerId } }),
        ),
      ),
    );
    expect(slowestMs).toBeLessThan(HEALTH_BOUND_MS);
    expect(tests.map((t) => t.status)).toEqual([200, 400, 400]);
    expect(tests[0]?.body.message).toBe('Hi Asha Rao!!');
    expect(tests[1]?.body).toMatchObject({
      code: 'TEMPLATE_INVALID',
      problems: [
        { path: ['template'], code: 'template_memory_limit', message: `for customer "c2": ${reason}` },
      ],
    });

    const { value: done, slowestMs: slowestDuringLaunch } = await whileHealthPolled(server, async () => {
      expect((await server.request('POST', `/api/campaigns/${id}/launch`)).status).toBe(200);
      return waitFinished(server, id, 10_000);
    });
    expect(slowestDuringLaunch).toBeLessThan(HEALTH_BOUND_MS);
    expect(done).toMatchObject({
      status: 'failed',
      error: `the template cannot be rendered for customer "c2": ${reason}`,
    });
  });

  it('stays responsive while a launch renders an allowed but costly template for many customers', async () => {
    const server = await build({ SIMULATOR_SUCCESS_RATE: '1' });
    // 4,000 visits: 8,000 steps each, just under the limit; 400 of them, about a second of rendering
    // that, done in one go, held the event loop for all of it.
    const customers = Array.from({ length: 400 }, (_, i) => ({
      id: `c${i}`,
      name: `Customer ${i}`,
      phone: `+1555${String(i).padStart(7, '0')}`,
      visits: 4_000,
    }));
    expect((await server.request('POST', '/api/customers', { body: { customers } })).status).toBe(200);
    const created = await createCampaign(server, '{% for i in (1..customer.visits) %}.{% endfor %}');
    expect(created.status).toBe(201);
    const { value: done, slowestMs } = await whileHealthPolled(server, async () => {
      expect((await server.request('POST', `/api/campaigns/${created.body.id}/launch`)).status).toBe(200);
      return waitFinished(server, created.body.id, 60_000);
    });
    expect(done).toMatchObject({ status: 'completed', stats: { total: 400, delivered: 400 } });
    expect(slowestMs).toBeLessThan(HEALTH_BOUND_MS);
  });
});
