/** Serves the dashboard's build (`examples/dashboard/dist`) at `/` when it is there. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';

/** Options of {@link dashboardPlugin}. */
export interface DashboardPluginOptions {
  /** Folder of the built dashboard (with `index.html`). */
  readonly root: string;
}

/** Serves `root` at `/` (and its `index.html` for client-side routes) if it holds a build. */
export const dashboardPlugin = fp<DashboardPluginOptions>(
  async (app, { root }) => {
    if (!existsSync(join(root, 'index.html'))) {
      app.log.info({ root }, 'no dashboard build: build examples/dashboard to serve it at /');
      return;
    }
    await app.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: ['index.html'] });
    app.log.info({ root }, 'serving the dashboard at /');
  },
  { name: 'dashboard', fastify: '5.x' },
);
