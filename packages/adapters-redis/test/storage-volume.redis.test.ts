import type { Delivery, DeliveryTransition } from '@minicrm/core';
import { deliveryId } from '@minicrm/core';
import { at, delivery } from '@minicrm/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisStorage } from '../src/index.js';
import { deleteKeys, freshPrefix } from './support/keys.js';

const url = inject('redisUrl');

/** Deliveries in the volume check (`REDIS_STORAGE_VOLUME_N` to change it). */
const N = Number(process.env.REDIS_STORAGE_VOLUME_N ?? 20_000);
const BATCH = 1000;

describe.skipIf(url === '')('redis storage: bulk delivery throughput', () => {
  let client: Redis;
  const prefix = freshPrefix('perf');
  beforeAll(() => {
    client = new Redis(url);
  });
  afterAll(async () => {
    await deleteKeys(client, prefix);
    await client.quit();
  });

  it(`creates, reads and moves ${N} deliveries in batches of ${BATCH}, one round trip per batch`, async () => {
    const storage = createRedisStorage({ client, prefix });
    const ids = Array.from({ length: N }, (_, i) => deliveryId('bench', `cust-${i}`));
    // Volume and correctness only: speed is measured by `pnpm bench` (campaign-redis), never here.
    const inBatches = async (_label: string, run: (batch: string[]) => Promise<unknown>) => {
      for (let s = 0; s < N; s += BATCH) await run(ids.slice(s, s + BATCH));
    };
    const message = 'Hi {{ name }}, your exclusive offer is waiting: 20% off everything this weekend only.';
    await inBatches('createMany', (batch) =>
      storage.deliveries.createMany(
        batch.map((id, i) => delivery(id, 'bench', { customerId: `cust-${i}`, status: 'queued', message })),
      ),
    );
    await inBatches('getMany', (batch) => storage.deliveries.getMany(batch));
    const move = (batch: string[], t: Omit<DeliveryTransition, 'id' | 'at'>) =>
      storage.deliveries.transitionMany(batch.map((id) => ({ id, at: at(1), ...t })));
    await inBatches('transitionMany queued → sending', (batch) =>
      move(batch, { from: ['queued'], attempts: 0, to: 'sending', set: { attempts: 1 } }),
    );
    let k = 0;
    await inBatches('transitionMany sending → sent (+ vendor id)', (batch) =>
      storage.deliveries.transitionMany(
        batch.map((id) => ({
          id,
          at: at(2),
          from: ['sending'],
          to: 'sent',
          set: { vendorMessageId: `v${k++}` },
        })),
      ),
    );
    const counts = await storage.deliveries.counts('bench');
    expect(counts.total).toBe(N);
    expect(counts.byStatus.sent).toBe(N);
    expect(counts.attempts).toBe(N);
    const found = await storage.deliveries.findByVendorMessageIds(['v0', `v${N - 1}`]);
    expect(found.get('v0')).toBe(ids[0]);
    const [last] = (await storage.deliveries.getMany([ids[N - 1] as string])) as Delivery[];
    expect(last?.status).toBe('sent');
  });
});
