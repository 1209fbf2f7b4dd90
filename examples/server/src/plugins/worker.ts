/**
 * The in-process worker of the default API + worker process: sends messages, retries, launches
 * scheduled campaigns. Stopped on close, before the engine closes its adapters.
 */
import type { Worker, WorkerOptions } from '@minicrm/core';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** The in-process worker. */
    worker: Worker;
  }
}

/** Starts `crm.createWorker(options)` and stops it on `onClose`. */
export const workerPlugin = fp<WorkerOptions>(
  async (app, options) => {
    const worker = app.crm.createWorker(options);
    app.decorate('worker', worker);
    app.addHook('onReady', async () => {
      worker.start();
    });
    app.addHook('onClose', async () => {
      await worker.stop();
    });
  },
  { name: 'worker', fastify: '5.x', dependencies: ['engine'] },
);
