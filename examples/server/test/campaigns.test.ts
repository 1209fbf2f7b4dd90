import { describe, expect, it } from 'vitest';
import { waitFinished } from './campaign-flow.js';
import { build, type TestServer } from './helper.js';

const PEOPLE = [
  { id: 'c1', name: 'Asha Rao', phone: '+919800000001', email: 'asha@example.com' },
  { id: 'c2', name: 'Ravi Iyer', phone: '+919800000002' },
  { id: 'c3', name: 'Meera Das' },
  { id: 'c4', name: 'Kabir Khan', phone: '+919800000004', subscriptions: { sms: false } },
];
const EVERYONE = { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] };

async function draft(server: TestServer, extra: Record<string, unknown> = {}) {
  await server.request('POST', '/api/customers', { body: { customers: PEOPLE } });
  const answer = await server.request('POST', '/api/campaigns', {
    body: {
      name: 'Hello',
      rules: EVERYONE,
      channel: 'sms',
      template: 'Hi {{ customer.firstName }}!',
      ...extra,
    },
  });
  expect(answer.status).toBe(201);
  return answer.body;
}

/** One Server-Sent Event as these tests read it. */
interface SseEvent {
  event: string;
  data: { campaignId: string; status: string; at?: number; stats?: Record<string, number> };
}

/** Reads Server-Sent Events from `path` until the stream ends; calls `onFirst` after the first event. */
async function readEvents(server: TestServer, path: string, onFirst: () => unknown = () => {}) {
  const response = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const reader = (response.body as ReadableStream<Uint8Array>)
    .pipeThrough(new TextDecoderStream())
    .getReader();
  const events: SseEvent[] = [];
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut = buffer.indexOf('\n\n');
    while (cut !== -1) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event !== undefined && data !== undefined) {
        events.push({ event, data: JSON.parse(data) });
        if (events.length === 1) await onFirst();
      }
      cut = buffer.indexOf('\n\n');
    }
  }
  await reader.cancel().catch(() => {});
  return events;
}

describe('campaigns', () => {
  it('creates a draft with status and stats, lists most recent first, and reads one', async () => {
    const server = await build();
    const first = await draft(server);
    expect(first).toMatchObject({
      name: 'Hello',
      status: 'draft',
      channel: 'sms',
      rules: EVERYONE,
      stats: { audience: 0, total: 0, sent: 0, delivered: 0, failed: 0, attempts: 0 },
    });
    expect(first).not.toHaveProperty('state');
    const second = await server.request('POST', '/api/campaigns', {
      body: { name: 'Second', rules: EVERYONE, channel: 'email', template: 'Hello {{ customer.name }}' },
    });
    const list = await server.request('GET', '/api/campaigns?limit=1');
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([second.body.id]);
    const next = await server.request(
      'GET',
      `/api/campaigns?limit=1&cursor=${encodeURIComponent(list.body.nextCursor)}`,
    );
    expect(next.body.items.map((c: { id: string }) => c.id)).toEqual([first.id]);
    expect((await server.request('GET', `/api/campaigns/${first.id}`)).body).toEqual(first);
    expect((await server.request('GET', '/api/campaigns/cmp_nope')).status).toBe(404);
  });

  it('refuses a template with an unknown variable and an audience given twice', async () => {
    const server = await build();
    const answer = await server.request('POST', '/api/campaigns', {
      body: {
        name: 'Bad',
        rules: EVERYONE,
        segmentId: 'seg_x',
        channel: 'sms',
        template: 'Hi {{ customer.nmae }}',
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    const paths = answer.body.problems.map((p: { path: string[] }) => p.path.join('.'));
    expect(paths).toContain('template');
    expect(answer.body.problems.find((p: { path: string[] }) => p.path[0] === 'template').message).toContain(
      'customer.name',
    );
    expect((await server.request('GET', '/api/campaigns')).body.items).toEqual([]);
  });

  it('runs a campaign to completion on the in-process simulator; the log filters by status', async () => {
    const server = await build({ SIMULATOR_SUCCESS_RATE: '1' });
    const campaign = await draft(server);
    const launched = await server.request('POST', `/api/campaigns/${campaign.id}/launch`);
    expect(launched.status).toBe(200);
    const done = await waitFinished(server, campaign.id);
    expect(done.status).toBe('completed');
    expect(done.stats).toMatchObject({
      audience: 4,
      total: 4,
      delivered: 2,
      skipped: 2,
      failed: 0,
      attempts: 2,
    });
    const skipped = await server.request('GET', `/api/campaigns/${campaign.id}/deliveries?status=skipped`);
    expect(
      skipped.body.items.map((d: { customerId: string; skipReason: string }) => [d.customerId, d.skipReason]),
    ).toEqual([
      ['c3', 'no_address'],
      ['c4', 'unsubscribed'],
    ]);
    const log = await server.request(
      'GET',
      `/api/campaigns/${campaign.id}/deliveries?status=delivered,skipped&limit=3`,
    );
    expect(log.body.items).toHaveLength(3);
    expect(log.body.items[0]).toMatchObject({
      customerId: 'c1',
      status: 'delivered',
      attempts: 1,
      message: 'Hi Asha!',
    });
    expect(log.body.nextCursor).toEqual(expect.any(String));
    const bad = await server.request('GET', `/api/campaigns/${campaign.id}/deliveries?status=lost`);
    expect(bad.status).toBe(400);
    expect(bad.body.problems[0].path).toEqual(['query', 'status']);
    // A finished campaign cannot be launched or paused again.
    const again = await server.request('POST', `/api/campaigns/${campaign.id}/launch`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ILLEGAL_TRANSITION');
  });

  it('pauses, resumes and cancels; an illegal action answers 409 and changes nothing', async () => {
    const server = await build({}, { worker: false });
    const campaign = await draft(server);
    const paused = await server.request('POST', `/api/campaigns/${campaign.id}/pause`);
    expect(paused.status).toBe(409);
    expect(paused.body).toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      message: expect.stringContaining('"draft"'),
    });
    expect((await server.request('GET', `/api/campaigns/${campaign.id}`)).body.status).toBe('draft');

    // Without a worker, the launched campaign waits with its messages queued.
    const launched = await server.request('POST', `/api/campaigns/${campaign.id}/launch`);
    expect(launched.body.status).toBe('running');
    expect((await server.request('POST', `/api/campaigns/${campaign.id}/pause`)).body.status).toBe('paused');
    expect((await server.request('POST', `/api/campaigns/${campaign.id}/resume`)).body.status).toBe(
      'running',
    );
    const cancelled = await server.request('POST', `/api/campaigns/${campaign.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.stats).toMatchObject({ total: 4, cancelled: 2, skipped: 2, queued: 0 });
    const retry = await server.request('POST', `/api/campaigns/${campaign.id}/retry-failed`);
    expect(retry.status).toBe(409);
  });

  it('retries the failed deliveries of a finished campaign as a new round', async () => {
    const server = await build({ SIMULATOR_SUCCESS_RATE: '0', RETRY_BASE_MS: '1', RETRY_MAX_MS: '5' });
    const campaign = await draft(server);
    await server.request('POST', `/api/campaigns/${campaign.id}/launch`);
    const done = await waitFinished(server, campaign.id);
    expect(done.stats).toMatchObject({ failed: 2, attempts: 6 });
    const retried = await server.request('POST', `/api/campaigns/${campaign.id}/retry-failed`);
    expect(retried.status).toBe(200);
    const again = await waitFinished(server, campaign.id);
    expect(again.stats).toMatchObject({ failed: 2, attempts: 12 });
  });

  it('test-sends the message to one customer, or to another address, without touching the campaign', async () => {
    const server = await build({ SIMULATOR_SUCCESS_RATE: '1' });
    const campaign = await draft(server);
    const sent = await server.request('POST', `/api/campaigns/${campaign.id}/test-send`, {
      body: { customerId: 'c1' },
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({
      channel: 'sms',
      to: '+919800000001',
      message: 'Hi Asha!',
      status: 'accepted',
      vendorMessageId: expect.any(String),
    });
    const other = await server.request('POST', `/api/campaigns/${campaign.id}/test-send`, {
      body: { customerId: 'c3', to: '+15550109999' },
    });
    expect(other.body).toMatchObject({ to: '+15550109999', message: 'Hi Meera!' });
    const unreachable = await server.request('POST', `/api/campaigns/${campaign.id}/test-send`, {
      body: { customerId: 'c3' },
    });
    expect(unreachable.status).toBe(400);
    expect(unreachable.body.problems[0]).toMatchObject({ path: ['customerId'], code: 'no_address' });
    const after = await server.request('GET', `/api/campaigns/${campaign.id}`);
    expect(after.body).toMatchObject({ status: 'draft', stats: { total: 0, attempts: 0 } });
  });
});

describe('live stats over Server-Sent Events', () => {
  it('streams the current stats, live updates, and ends when the campaign completes', async () => {
    const server = await build({ SIMULATOR_SUCCESS_RATE: '1' });
    const campaign = await draft(server);
    // Launch once the stream is open (its first event is the current stats).
    const events = await readEvents(server, `/api/campaigns/${campaign.id}/events`, () =>
      server.request('POST', `/api/campaigns/${campaign.id}/launch`),
    );
    expect(events[0]).toEqual({
      event: 'stats',
      data: {
        campaignId: campaign.id,
        status: 'draft',
        at: expect.any(Number),
        stats: expect.objectContaining({ total: 0 }),
      },
    });
    const stats = events.filter((e) => e.event === 'stats');
    expect(stats.length).toBeGreaterThanOrEqual(2);
    const last = stats.at(-1)?.data;
    expect(last).toMatchObject({ status: 'completed', stats: { total: 4, delivered: 2, skipped: 2 } });
    expect(events.at(-1)).toEqual({ event: 'end', data: { campaignId: campaign.id, status: 'completed' } });
    for (let i = 1; i < stats.length; i++)
      expect(stats[i]?.data.at).toBeGreaterThanOrEqual(stats[i - 1]?.data.at ?? 0);
  });

  it('takes the token as ?access_token= (for EventSource) and needs one', async () => {
    const server = await build();
    const campaign = await draft(server);
    const noToken = await fetch(`${server.url}/api/campaigns/${campaign.id}/events`);
    expect(noToken.status).toBe(401);
    const controller = new AbortController();
    const withQuery = await fetch(
      `${server.url}/api/campaigns/${campaign.id}/events?access_token=${server.token}`,
      { signal: controller.signal },
    );
    expect(withQuery.status).toBe(200);
    controller.abort();
    // Other routes do not take the token from the query.
    expect((await fetch(`${server.url}/api/fields?access_token=${server.token}`)).status).toBe(401);
    expect(
      (await fetch(`${server.url}/api/campaigns/cmp_nope/events?access_token=${server.token}`)).status,
    ).toBe(404);
  });

  it('ends open streams at once when the server closes', async () => {
    const server = await build();
    const campaign = await draft(server);
    const response = await fetch(`${server.url}/api/campaigns/${campaign.id}/events`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).done).toBe(false);
    const started = Date.now();
    await server.app.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await reader.read()).done).toBe(true);
  });
});
