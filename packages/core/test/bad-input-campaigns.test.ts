/**
 * Bad input on `campaigns.*`, `receipts.*` and `createMiniCrm` options: the typed error, every
 * problem with its exact path, and no change to campaigns, deliveries or their counters.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createMemoryStorage,
  createMiniCrm,
  createSimulatorChannel,
  IllegalTransitionError,
  ManualClock,
  type MiniCrm,
  memoryStorageBackdoor,
  NotFoundError,
  type Storage,
  ValidationError,
} from '../src/index.js';
import { pairs, paths, rejection, sorted } from './support/problems.js';

const RULES = { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] };
const CAMPAIGN_IDS = ['draft', 'running', 'paused', 'done', 'gone'] as const;

let storage: Storage;
let crm: MiniCrm;

/** Campaigns (facade and raw records) and their delivery counters. */
async function state() {
  const backdoor = memoryStorageBackdoor(storage);
  return {
    list: (await crm.campaigns.list({ limit: 100 })).items,
    raw: await Promise.all(CAMPAIGN_IDS.map((id) => backdoor.campaign(id))),
    counts: await Promise.all(CAMPAIGN_IDS.map((id) => storage.deliveries.counts(id))),
    deliveries: await Promise.all(CAMPAIGN_IDS.map((id) => backdoor.delivery(`${id}~c1`))),
  };
}

beforeEach(async () => {
  storage = createMemoryStorage();
  const clock = new ManualClock(Date.parse('2026-03-01T00:00:00Z'));
  crm = createMiniCrm({
    storage,
    clock,
    channels: [createSimulatorChannel({ name: 'sms', clock, successRate: 1 })],
  });
  await crm.customers.upsert([
    { id: 'c1', name: 'Ada', phone: '+15550100001' },
    { id: 'c2', name: 'Bo', phone: '+15550100002' },
  ]);
  await crm.segments.create({ id: 'seg1', name: 'All', rules: RULES });
  for (const id of CAMPAIGN_IDS) {
    await crm.campaigns.create({
      id,
      name: id,
      channel: 'sms',
      template: 'Hi {{ customer.name }}',
      segmentId: 'seg1',
    });
  }
  for (const id of ['running', 'paused', 'done', 'gone']) await crm.campaigns.launch(id);
  await crm.campaigns.pause('paused');
  await crm.campaigns.cancel('gone');
  // One batch sends everything that is running: `done` and `running` complete; make `running` wait.
  await crm.campaigns.pause('running');
  await crm.createWorker().processBatch(0);
  await crm.campaigns.resume('running');
  expect((await crm.campaigns.get('done'))?.state).toBe('completed');
  expect((await crm.campaigns.get('running'))?.state).toBe('running');
});

describe('campaigns.create', () => {
  it('lists every problem at once: shape, audience rules, channel, template, sendAt, throttle, retry', async () => {
    const before = await state();
    const error = await rejection(
      crm.campaigns.create({
        id: 'bad id!',
        name: '',
        channel: 'pigeon',
        template: 'Hi {{ customer.nickname }}, see {{ shop.url }}',
        sendAt: 'tomorrow',
        throttlePerSecond: 0,
        retry: { maxAttempts: 0, baseDelayMs: -1 },
        rules: {
          combinator: 'and',
          rules: [
            RULES.rules[0],
            { combinator: 'or', rules: [{ field: 'visits', operator: '>', value: 'x' }] },
          ],
        },
      }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual(
      sorted([
        ['id', 'invalid_format'],
        ['name', 'too_small'],
        ['channel', 'unknown_channel'],
        ['template', 'unknown_variable'],
        ['template', 'unknown_variable'],
        ['sendAt', 'invalid_date'],
        ['throttlePerSecond', 'too_small'],
        ['retry.maxAttempts', 'too_small'],
        ['retry.baseDelayMs', 'too_small'],
        ['rules.rules[1].rules[0].value', 'invalid_type'],
      ]),
    );
    expect(
      error.problems
        .filter((p) => p.code === 'unknown_variable')
        .map((p) => p.message)
        .join(),
    ).toMatch(/nickname[\s\S]*shop|shop[\s\S]*nickname/);
    expect(await state()).toEqual(before);
  });

  it.each([
    ['both audiences', { segmentId: 'seg1', rules: RULES }, [['rules', 'audience_required']]],
    ['no audience', {}, [['segmentId', 'audience_required']]],
    ['an unknown segment', { segmentId: 'nope' }, [['segmentId', 'not_found']]],
    [
      'a template that does not parse',
      { segmentId: 'seg1', template: 'Hi {{ customer.name ' },
      [['template', 'template_syntax']],
    ],
    [
      'retry base above its cap',
      { segmentId: 'seg1', retry: { baseDelayMs: 5000, maxDelayMs: 10 } },
      [['retry.baseDelayMs', 'too_big']],
    ],
    [
      'retry maxAttempts not an integer',
      { segmentId: 'seg1', retry: { maxAttempts: 2.5 } },
      [['retry.maxAttempts', 'invalid_type']],
    ],
    [
      'a negative throttle',
      { segmentId: 'seg1', throttlePerSecond: -3 },
      [['throttlePerSecond', 'too_small']],
    ],
    [
      'a throttle that is not a number',
      { segmentId: 'seg1', throttlePerSecond: 'fast' },
      [['throttlePerSecond', 'invalid_type']],
    ],
    [
      'an empty channel and template',
      { segmentId: 'seg1', channel: '', template: '' },
      [
        ['channel', 'too_small'],
        ['template', 'too_small'],
      ],
    ],
  ] as [string, object, [string, string][]][])('refuses %s', async (_label, patch, expected) => {
    const before = await state();
    const input = { id: 'new', name: 'New', channel: 'sms', template: 'Hi', ...patch };
    const error = await rejection(crm.campaigns.create(input), ValidationError, 'VALIDATION_FAILED');
    expect(pairs(error.problems)).toEqual(sorted(expected));
    expect(await state()).toEqual(before);
    expect(await memoryStorageBackdoor(storage).campaign('new')).toBeNull();
  });

  it.each([
    ['an invalid Date', new Date(Number.NaN)],
    ['a number', 1_780_000_000_000],
    ['free text', 'next Tuesday'],
  ])('refuses sendAt as %s at path sendAt', async (_label, sendAt) => {
    const before = await state();
    const input = { id: 'new', name: 'New', channel: 'sms', template: 'Hi', segmentId: 'seg1', sendAt };
    const error = await rejection(crm.campaigns.create(input), ValidationError, 'VALIDATION_FAILED');
    expect(paths(error.problems)).toEqual(['sendAt']);
    expect(await state()).toEqual(before);
  });

  it.each([
    ['a bare number string', '1'],
    ['a day that does not exist', '2026-02-30T10:00:00Z'],
    ['a non-ISO date text', 'March 5, 2026'],
  ])('refuses sendAt as %s', async (_label, sendAt) => {
    const input = { id: 'new', name: 'New', channel: 'sms', template: 'Hi', segmentId: 'seg1', sendAt };
    const error = await rejection(crm.campaigns.create(input), ValidationError, 'VALIDATION_FAILED');
    expect(pairs(error.problems)).toEqual([['sendAt', 'invalid_date']]);
  });

  it('refuses a non-object input at the root', async () => {
    for (const input of [null, 'campaign', 42]) {
      const error = await rejection(crm.campaigns.create(input), ValidationError, 'VALIDATION_FAILED');
      expect(pairs(error.problems)).toEqual([['(root)', 'invalid_type']]);
    }
  });

  it('reports each unknown key at its own path', async () => {
    const input = {
      name: 'n',
      channel: 'sms',
      template: 'Hi',
      segmentId: 'seg1',
      color: 'red',
      retry: { foo: 1 },
    };
    const error = await rejection(crm.campaigns.create(input), ValidationError, 'VALIDATION_FAILED');
    expect(paths(error.problems)).toEqual(['color', 'retry.foo']);
  });
});

describe('campaign lifecycle on unknown ids and in the wrong state', () => {
  const ops = {
    launch: (id: string) => crm.campaigns.launch(id),
    pause: (id: string) => crm.campaigns.pause(id),
    resume: (id: string) => crm.campaigns.resume(id),
    cancel: (id: string) => crm.campaigns.cancel(id),
    retryFailed: (id: string) => crm.campaigns.retryFailed(id),
    stats: (id: string) => crm.campaigns.stats(id),
    deliveries: (id: string) => crm.campaigns.deliveries(id),
  };

  it.each(Object.keys(ops))('%s on an unknown id is NotFoundError and changes nothing', async (op) => {
    const before = await state();
    const error = await rejection(ops[op as keyof typeof ops]('ghost'), NotFoundError, 'NOT_FOUND');
    expect([error.entity, error.id]).toEqual(['campaign', 'ghost']);
    expect(await state()).toEqual(before);
  });

  it.each([
    ['draft', 'pause', 'paused'],
    ['draft', 'resume', 'running'],
    ['draft', 'retryFailed', 'running'],
    ['running', 'launch', 'running'],
    ['running', 'resume', 'running'],
    ['paused', 'pause', 'paused'],
    ['paused', 'launch', 'running'],
    ['paused', 'retryFailed', 'running'],
    ['done', 'pause', 'paused'],
    ['done', 'resume', 'running'],
    ['done', 'launch', 'running'],
    ['done', 'cancel', 'cancelled'],
    ['gone', 'launch', 'running'],
    ['gone', 'pause', 'paused'],
    ['gone', 'resume', 'running'],
    ['gone', 'cancel', 'cancelled'],
    ['gone', 'retryFailed', 'running'],
  ] as const)('%s: %s is IllegalTransitionError (to %s) and changes nothing', async (id, op, to) => {
    const before = await state();
    const from = (await crm.campaigns.get(id))?.state;
    const error = await rejection(ops[op](id), IllegalTransitionError, 'ILLEGAL_TRANSITION');
    expect([error.entity, error.from, error.to]).toEqual(['campaign', from, to]);
    expect(await state()).toEqual(before);
  });

  it('campaigns.deliveries refuses a bad limit at path limit', async () => {
    for (const limit of [0, 1001, 2.5]) {
      const error = await rejection(
        crm.campaigns.deliveries('done', { limit }),
        ValidationError,
        'VALIDATION_FAILED',
      );
      expect(pairs(error.problems)).toEqual([['limit', 'out_of_range']]);
    }
  });
});
