import { describe, expect, it, vi } from 'vitest';
import { createMemoryEventBus } from '../src/index.js';

describe('memory event bus', () => {
  it('reports handler errors (thrown or rejected) to onError with the event type', async () => {
    const onError = vi.fn();
    const bus = createMemoryEventBus({ onError });
    const boom = new Error('boom');
    await bus.subscribe('customer.created', () => {
      throw boom;
    });
    await bus.subscribe('customer.created', (async () => {
      throw new Error('async boom');
    }) as () => void);
    await bus.publish('customer.created', { customerId: 'c1', at: 1 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(onError).toHaveBeenCalledTimes(2);
    expect(onError).toHaveBeenCalledWith(boom, 'customer.created');
  });

  it('delivers synchronously within publish, and logs handler errors by default', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const bus = createMemoryEventBus();
      const got: string[] = [];
      await bus.subscribe('customer.created', () => {
        throw new Error('logged');
      });
      await bus.subscribe('customer.created', (e) => got.push(e.customerId));
      await bus.publish('customer.created', { customerId: 'c1', at: 1 });
      expect(got).toEqual(['c1']);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
