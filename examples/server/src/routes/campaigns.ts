/** Campaigns: create, list, read with stats, life-cycle actions, delivery log, test send. */
import { type Campaign, type MiniCrm, NotFoundError } from '@minicrm/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  campaignCreateSchema,
  campaignSchema,
  deliveryQuerySchema,
  deliverySchema,
  testSendBodySchema,
  testSendSchema,
  toCampaignView,
  toDeliveryView,
} from '../schemas/campaign.js';
import { bearerAuth, errorResponses, idParams, pageOf, pageQuery } from '../schemas/common.js';

/** A campaign with its current stats, as the API returns it. */
export async function campaignView(crm: MiniCrm, campaign: Campaign) {
  return toCampaignView(campaign, await crm.campaigns.stats(campaign.id));
}

const ACTIONS = {
  launch: 'Launch a draft now (or schedule it when sendAt is in the future)',
  pause: 'Hold sending; workers defer the jobs until resume',
  resume: 'Send again after pause',
  cancel: 'Cancel: nothing more is sent; waiting deliveries become cancelled',
  'retry-failed': 'Start a new round for the permanently failed deliveries of a finished campaign',
} as const;

/** Campaign routes. */
export const campaignRoutes: FastifyPluginAsyncZod = async (app) => {
  const crm = app.crm;

  app.post(
    '/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Create a draft campaign (audience, channel and template are checked now)',
        security: bearerAuth,
        body: campaignCreateSchema,
        response: { 201: campaignSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const campaign = await crm.campaigns.create(request.body);
      return reply.code(201).send(await campaignView(crm, campaign));
    },
  );

  app.get(
    '/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Campaigns, most recent first, with their stats',
        security: bearerAuth,
        querystring: pageQuery,
        response: { 200: pageOf(campaignSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const page = await crm.campaigns.list({ limit, ...(cursor === undefined ? {} : { cursor }) });
      return {
        items: await Promise.all(page.items.map((c) => campaignView(crm, c))),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/campaigns/:id',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'One campaign with its status and stats',
        security: bearerAuth,
        params: idParams,
        response: { 200: campaignSchema, ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await crm.campaigns.get(request.params.id);
      if (campaign === null) throw new NotFoundError('campaign', request.params.id);
      return campaignView(crm, campaign);
    },
  );

  for (const [action, summary] of Object.entries(ACTIONS)) {
    app.post(
      `/campaigns/:id/${action}`,
      {
        schema: {
          tags: ['campaigns'],
          summary,
          description: 'An action the campaign state does not allow answers 409 ILLEGAL_TRANSITION.',
          security: bearerAuth,
          params: idParams,
          response: { 200: campaignSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { id } = request.params;
        const campaign = await run(crm, action as keyof typeof ACTIONS, id);
        return campaignView(crm, campaign);
      },
    );
  }

  app.get(
    '/campaigns/:id/deliveries',
    {
      schema: {
        tags: ['campaigns'],
        summary: "The campaign's communications log, by delivery id, optionally only some statuses",
        security: bearerAuth,
        params: idParams,
        querystring: deliveryQuerySchema,
        response: { 200: pageOf(deliverySchema), ...errorResponses },
      },
    },
    async (request) => {
      const { status, limit, cursor } = request.query;
      const page = await crm.campaigns.deliveries(request.params.id, {
        limit,
        ...(cursor === undefined ? {} : { cursor }),
        ...(status === undefined ? {} : { statuses: status }),
      });
      return { items: page.items.map(toDeliveryView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/campaigns/:id/test-send',
    {
      schema: {
        tags: ['campaigns'],
        summary: "Send the campaign's message once to one customer (or another address); stores nothing",
        security: bearerAuth,
        params: idParams,
        body: testSendBodySchema,
        response: { 200: testSendSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { result, ...sent } = await crm.campaigns.testSend(request.params.id, request.body);
      return result.status === 'accepted'
        ? {
            ...sent,
            status: result.status,
            ...(result.vendorMessageId ? { vendorMessageId: result.vendorMessageId } : {}),
          }
        : {
            ...sent,
            status: result.status,
            ...(result.errorCode ? { errorCode: result.errorCode } : {}),
            ...(result.error ? { error: result.error } : {}),
          };
    },
  );
};

function run(crm: MiniCrm, action: keyof typeof ACTIONS, id: string): Promise<Campaign> {
  switch (action) {
    case 'launch':
      return crm.campaigns.launch(id, { wait: false });
    case 'pause':
      return crm.campaigns.pause(id);
    case 'resume':
      return crm.campaigns.resume(id);
    case 'cancel':
      return crm.campaigns.cancel(id);
    case 'retry-failed':
      return crm.campaigns.retryFailed(id, { wait: false });
  }
}
