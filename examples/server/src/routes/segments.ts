/** Audience preview and saved segments. */
import { NotFoundError, ValidationError } from '@minicrm/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bearerAuth, errorResponses, idParams, pageOf, pageQuery } from '../schemas/common.js';
import {
  previewBodySchema,
  previewSchema,
  segmentCreateSchema,
  segmentSchema,
  segmentUpdateSchema,
} from '../schemas/segment.js';

/** Segment routes. */
export const segmentRoutes: FastifyPluginAsyncZod = async (app) => {
  const crm = app.crm;

  app.post(
    '/segments/preview',
    {
      schema: {
        tags: ['segments'],
        summary: 'How many customers match a rule tree now, and a sample, without saving anything',
        security: bearerAuth,
        body: previewBodySchema,
        response: { 200: previewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { rules, sampleSize } = request.body;
      try {
        return await crm.segments.preview(rules, sampleSize === undefined ? {} : { sampleSize });
      } catch (error) {
        // Core checks the rule tree itself: point its problem paths into the body.
        if (!(error instanceof ValidationError)) throw error;
        throw new ValidationError(
          'invalid segment preview',
          error.problems.map((p) => (p.path[0] === 'sampleSize' ? p : { ...p, path: ['rules', ...p.path] })),
        );
      }
    },
  );

  app.post(
    '/segments',
    {
      schema: {
        tags: ['segments'],
        summary: 'Save a segment (rules are validated against the field catalog)',
        security: bearerAuth,
        body: segmentCreateSchema,
        response: { 201: segmentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const segment = await crm.segments.create(request.body);
      return reply.code(201).send(segment);
    },
  );

  app.get(
    '/segments',
    {
      schema: {
        tags: ['segments'],
        summary: 'Saved segments by id',
        security: bearerAuth,
        querystring: pageQuery,
        response: { 200: pageOf(segmentSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const page = await crm.segments.list({ limit, ...(cursor === undefined ? {} : { cursor }) });
      return page;
    },
  );

  app.get(
    '/segments/:id',
    {
      schema: {
        tags: ['segments'],
        summary: 'One saved segment',
        security: bearerAuth,
        params: idParams,
        response: { 200: segmentSchema, ...errorResponses },
      },
    },
    async (request) => {
      const segment = await crm.segments.get(request.params.id);
      if (segment === null) throw new NotFoundError('segment', request.params.id);
      return segment;
    },
  );

  app.put(
    '/segments/:id',
    {
      schema: {
        tags: ['segments'],
        summary: 'Change a segment; with expectedVersion, 409 if someone changed it since',
        security: bearerAuth,
        params: idParams,
        body: segmentUpdateSchema,
        response: { 200: segmentSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { expectedVersion, ...patch } = request.body;
      const segment = await crm.segments.update(
        request.params.id,
        patch,
        expectedVersion === undefined ? {} : { expectedVersion },
      );
      return segment;
    },
  );

  app.delete(
    '/segments/:id',
    {
      schema: {
        tags: ['segments'],
        summary: 'Delete a segment (campaigns already launched keep their audience)',
        security: bearerAuth,
        params: idParams,
        response: { 204: z.null().describe('Deleted'), ...errorResponses },
      },
    },
    async (request, reply) => {
      await crm.segments.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );
};
