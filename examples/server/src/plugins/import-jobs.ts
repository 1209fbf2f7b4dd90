/** The `imports` decorator: this process's CSV import jobs, stopped on close. */
import fp from 'fastify-plugin';
import { ImportJobs } from '../imports/import-jobs.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** CSV import jobs run by this process. */
    imports: ImportJobs;
  }
}

/** Decorates `imports`. */
export const importJobsPlugin = fp(
  async (app) => {
    const jobs = new ImportJobs(app.crm, app.log.child({ component: 'imports' }));
    app.decorate('imports', jobs);
    app.addHook('onClose', () => jobs.close());
  },
  { name: 'import-jobs', fastify: '5.x', dependencies: ['engine'] },
);
