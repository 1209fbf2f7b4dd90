/**
 * The test process's side of a multi-process test: a redis-server of its own, and an engine on it
 * that loads the audience and launches campaigns but runs no worker (worker processes send), with
 * the shared vendor ledger as its channel, so any send it made would show as sender `test`.
 */
import { type Campaign, createMiniCrm, type MiniCrm } from '@minicrm/core';
import { Redis } from 'ioredis';
import {
  createRedisEventBus,
  createRedisJobQueue,
  createRedisStorage,
  type RedisEventBus,
  type RedisJobQueue,
  type RedisStorage,
} from '../../src/index.js';
import { type RedisServerProcess, startRedisServer } from './redis-server.js';
import { createVendorLedgerChannel, sendsBy } from './vendor-ledger.js';
import { LEDGER_SEED, SHARED_RETRY } from './worker-process.js';

/** What {@link startLaunchingEngine} started. */
export interface LaunchingEngine {
  readonly server: RedisServerProcess;
  readonly client: Redis;
  readonly storage: RedisStorage;
  readonly queue: RedisJobQueue;
  readonly bus: RedisEventBus;
  readonly crm: MiniCrm;
  /** Closes the engine and its adapters, then stops the server. */
  close(): Promise<void>;
}

/** Starts a redis-server and the launching engine on it, with customers `cus_00000…` loaded. */
export async function startLaunchingEngine(options: {
  readonly prefix: string;
  readonly customers: number;
  readonly launchBatchSize?: number;
}): Promise<LaunchingEngine> {
  const { prefix } = options;
  const server = await startRedisServer();
  const client = new Redis(server.url, { maxRetriesPerRequest: null });
  const storage = createRedisStorage({ client, prefix });
  const queue = createRedisJobQueue({ client, prefix });
  const bus = createRedisEventBus({ client, prefix });
  const crm = createMiniCrm({
    storage,
    queue,
    bus,
    channels: [createVendorLedgerChannel({ client, prefix, sender: 'test', seed: LEDGER_SEED })],
    retry: SHARED_RETRY,
    ...(options.launchBatchSize === undefined ? {} : { launchBatchSize: options.launchBatchSize }),
  });
  const customers = Array.from({ length: options.customers }, (_, i) => ({
    id: `cus_${String(i).padStart(5, '0')}`,
    name: `Customer ${i}`,
    phone: `+1555${String(i).padStart(7, '0')}`,
  }));
  for (let i = 0; i < customers.length; i += 2000) await crm.customers.upsert(customers.slice(i, i + 2000));
  return {
    server,
    client,
    storage,
    queue,
    bus,
    crm,
    async close() {
      await crm.close();
      await queue.close();
      await bus.close();
      await storage.close();
      client.disconnect();
      await server.stop();
    },
  };
}

/** Creates a campaign to every customer on the ledger's `sms` channel. */
export function everyoneCampaign(crm: MiniCrm, name: string): Promise<Campaign> {
  return crm.campaigns.create({
    name,
    channel: 'sms',
    template: 'Hi {{ customer.name }}, 10% off today!',
    rules: { combinator: 'and', rules: [{ field: 'name', operator: 'exists' }] },
  });
}

/**
 * Waits until `sender` records another send in the ledger: it has just sent a batch and, with an
 * answer latency, is waiting for the vendor's answers. Returns its send count before that.
 */
export async function waitForNextSend(
  client: Redis,
  prefix: string,
  sender: string,
  timeoutMs = 60_000,
): Promise<number> {
  const before = await sendsBy(client, prefix, sender);
  const deadline = Date.now() + timeoutMs;
  while ((await sendsBy(client, prefix, sender)) === before) {
    if (Date.now() > deadline) throw new Error(`${sender} sent nothing more within ${timeoutMs} ms`);
  }
  return before;
}
