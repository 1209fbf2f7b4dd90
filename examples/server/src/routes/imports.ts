/** `POST /api/customers/import` (a CSV body) and `GET /api/imports/:jobId`. */
import { ValidationError } from '@minicrm/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.js';
import { HttpError } from '../plugins/http-error.js';
import { bearerAuth, errorResponses, problemSchema } from '../schemas/common.js';

const progressSchema = z.object({
  rows: z.number().int().describe('Data rows read'),
  imported: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int().describe('Rows refused'),
});

const jobSchema = z
  .object({
    id: z.string(),
    status: z.enum(['running', 'completed', 'failed']),
    startedAt: z.date(),
    finishedAt: z.date().optional(),
    progress: progressSchema,
    errors: z
      .array(
        z.object({
          line: z.number().int().describe('1-based; 1 is the header'),
          problems: z.array(problemSchema).readonly(),
        }),
      )
      .describe('Refused rows by line number'),
    ignoredColumns: z.array(z.string()),
    errorsTruncated: z.boolean(),
    error: z.string().optional().describe('Why the import stopped, when failed'),
  })
  .meta({ id: 'ImportJob' });

/** The header line of a CSV text (a header with a quoted line break is not supported here). */
function headerLine(csv: string): string {
  const end = csv.search(/\r?\n/);
  return end === -1 ? csv : csv.slice(0, end);
}

/** Options of {@link importRoutes}. */
export interface ImportRoutesOptions {
  readonly config: Config;
}

/** CSV import routes. */
export const importRoutes: FastifyPluginAsyncZod<ImportRoutesOptions> = async (app, { config }) => {
  app.addContentTypeParser(
    ['text/csv', 'text/plain'],
    { parseAs: 'string', bodyLimit: config.importLimit },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/customers/import',
    {
      bodyLimit: config.importLimit,
      schema: {
        tags: ['customers'],
        summary: 'Import customers from CSV (Content-Type: text/csv); answers 202 with a job id',
        description:
          'Columns: id, name, email, phone, totalSpend, orderCount, visits, firstOrderAt, lastOrderAt, lastVisitAt, createdAt, subscriptions.<channel>, attributes.<name>. A header without id or name is refused with 400 at once; bad rows are skipped and reported by line number in the job.',
        security: bearerAuth,
        consumes: ['text/csv'],
        body: z.string().describe('CSV text with a header line'),
        response: { 202: z.object({ jobId: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const csv = request.body;
      if (csv.trim() === '') {
        throw new ValidationError('invalid CSV', [
          { path: [], code: 'empty', message: 'the CSV body is empty' },
        ]);
      }
      // Refuse a bad header before answering 202: importing the header alone writes nothing.
      await app.crm.customers.importCsv(headerLine(csv));
      const job = app.imports.start(csv);
      return reply.code(202).header('location', `/api/imports/${job.id}`).send({ jobId: job.id });
    },
  );

  app.get(
    '/imports/:jobId',
    {
      schema: {
        tags: ['customers'],
        summary:
          "A CSV import's progress, counts and row errors (served by the process that took the import)",
        security: bearerAuth,
        params: z.strictObject({ jobId: z.string().min(1).max(200) }),
        response: { 200: jobSchema, ...errorResponses },
      },
    },
    async (request) => {
      const job = app.imports.get(request.params.jobId);
      if (job === undefined)
        throw new HttpError(404, 'NOT_FOUND', `import "${request.params.jobId}" does not exist`);
      return job;
    },
  );
};
