/**
 * Bad input on `receipts.ingest`, `receipts.ingestFromChannel` and the `createMiniCrm` options: the
 * typed error, every problem with its exact path, and no delivery or counter changed.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createMemoryStorage,
  createMiniCrm,
  createSimulatorChannel,
  formatPath,
  ManualClock,
  type MiniCrm,
  memoryStorageBackdoor,
  type Storage,
  ValidationError,
} from '../src/index.js';
import { pairs, paths, rejection, sorted } from './support/problems.js';

let storage: Storage;
let crm: MiniCrm;

/** The campaign's raw deliveries and counters, and the recorded receipt ids. */
async function state() {
  const backdoor = memoryStorageBackdoor(storage);
  return {
    deliveries: await Promise.all(['done~c1', 'done~c2'].map((id) => backdoor.delivery(id))),
    counts: await storage.deliveries.counts('done'),
    campaign: await backdoor.campaign('done'),
    seen: [...(await storage.receipts.seen(['r0', 'r3', 'r4', 'w1']))],
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
  await crm.campaigns.create({
    id: 'done',
    name: 'Done',
    channel: 'sms',
    template: 'Hi',
    rules: { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] },
  });
  await crm.campaigns.launch('done');
  await crm.createWorker().processBatch(0);
  expect((await crm.campaigns.stats('done')).byStatus.sent).toBe(2);
});

describe('receipts.ingest and receipts.ingestFromChannel', () => {
  const at = '2026-03-01T00:00:05Z';

  it('lists every problem of every receipt; applies none, records none', async () => {
    const before = await state();
    const error = await rejection(
      crm.receipts.ingest({
        receipts: [
          { id: 'r0', deliveryId: 'done~c1', status: 'clicked', at },
          { id: '', status: 'lost', at: 'yesterday', attempt: 0 },
          'x',
          { id: 'r3', status: 'SENT', at: Date.now() },
          { id: 'r4', deliveryId: 'done~c2', status: 'FAILED', at: 1, retryAfterMs: -1, retryable: 'yes' },
        ],
      }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(paths(error.problems)).toEqual(
      [
        'receipts[1].id',
        'receipts[1].status',
        'receipts[1].at',
        'receipts[1].attempt',
        'receipts[1].deliveryId',
        'receipts[2]',
        'receipts[3].deliveryId',
        'receipts[4].retryable',
        'receipts[4].retryAfterMs',
      ].sort(),
    );
    const codes = new Map(pairs(error.problems));
    expect(codes.get('receipts[1].deliveryId')).toBe('missing_reference');
    expect(codes.get('receipts[2]')).toBe('invalid_type');
    expect(await state()).toEqual(before);
    // r0 was valid but not applied, and its id was not recorded: it applies when sent alone.
    const pending = crm.receipts.ingest({ id: 'r0', deliveryId: 'done~c1', status: 'clicked', at });
    await crm.receipts.flush(); // the batch timer runs on the manual clock
    expect((await pending).outcomes).toEqual(['applied']);
    expect((await crm.campaigns.stats('done')).clicked).toBe(1);
  });

  it.each([
    ['a number', 5, [['(root)', 'invalid_type']]],
    ['receipts that are not a list', { receipts: 5 }, [['receipts', 'invalid_type']]],
    ['a list with a non-object', [null], [['[0]', 'invalid_type']]],
  ] as [string, unknown, [string, string][]][])('refuses %s', async (_label, input, expected) => {
    const before = await state();
    const error = await rejection(crm.receipts.ingest(input), ValidationError, 'VALIDATION_FAILED');
    expect(pairs(error.problems)).toEqual(expected);
    expect(await state()).toEqual(before);
  });

  it('ingestFromChannel: an unknown channel, and a bad body through the channel parser', async () => {
    const before = await state();
    const unknown = await rejection(
      crm.receipts.ingestFromChannel('pigeon', { receipts: [] }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(unknown.problems)).toEqual([['channel', 'unknown_channel']]);
    const body = await rejection(
      crm.receipts.ingestFromChannel('sms', {
        receipts: [{ id: 'w1', deliveryId: 'done~c1', status: 'nope', at }],
      }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(paths(body.problems)).toEqual(['receipts[0].status']);
    expect(await state()).toEqual(before);
  });
});

describe('createMiniCrm options', () => {
  it('refuses two channels with the same name', async () => {
    const error = await rejection(
      () =>
        createMiniCrm({
          channels: [createSimulatorChannel({ name: 'sms' }), createSimulatorChannel({ name: 'sms' })],
        }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual([['channels[1].name', 'duplicate']]);
  });

  it.each(['XYZ', 'dollars', '', 'US'])('refuses the currency %j', async (currency) => {
    const error = await rejection(() => createMiniCrm({ currency }), ValidationError, 'VALIDATION_FAILED');
    expect(pairs(error.problems)).toEqual([['currency', 'unknown_currency']]);
  });

  it('refuses bad attribute declarations, each at its index', async () => {
    const error = await rejection(
      () =>
        createMiniCrm({
          attributes: [
            { name: 'tier', type: 'enum' },
            { name: '1bad', type: 'number' },
            { name: 'x', type: 'weird' as never },
          ],
        }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual(
      sorted([
        ['attributes[0].options', 'options_required'],
        ['attributes[1].name', 'invalid_name'],
        ['attributes[2].type', 'invalid_type'],
      ]),
    );
  });

  it('lists every problem of the options at once', async () => {
    const sim = (name: string) => createSimulatorChannel({ name });
    const error = await rejection(
      () =>
        createMiniCrm({ currency: 'XYZ', channels: [sim('sms'), sim('sms'), sim('email'), sim('email')] }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(
      error.problems.map((p) => formatPath(p.path)).filter((p) => p.startsWith('channels')),
    ).toHaveLength(2);
    expect(paths(error.problems)).toContain('currency');
  });

  // Checked when the engine is created, not when the first attempt fails.
  it('refuses invalid retry settings and launch batch size when the engine is created', async () => {
    const retry = await rejection(
      () => createMiniCrm({ retry: { maxAttempts: 0 } }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(retry.problems)).toEqual([['retry.maxAttempts', 'out_of_range']]);
    const batch = await rejection(
      () => createMiniCrm({ launchBatchSize: 0 }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(paths(batch.problems)).toEqual(['launchBatchSize']);
  });
});
