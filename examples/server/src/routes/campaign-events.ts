/**
 * `GET /api/campaigns/:id/events`: Server-Sent Events of a campaign's live stats. The first event is
 * the current stats; then one per `campaign.stats` event of the bus (throttled by the engine, and
 * from every process on a shared Redis bus); the stream ends after the campaign finishes.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { CampaignStats } from '@minicrm/core';
import { NotFoundError } from '@minicrm/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { campaignSchema, toStatsView } from '../schemas/campaign.js';
import { bearerAuth, errorResponses, idParams } from '../schemas/common.js';

/** Comment line sent this often so proxies keep the connection open (ms). */
const HEARTBEAT_MS = 15_000;
const FINISHED = new Set(['completed', 'cancelled', 'failed']);

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function statsEvent(stats: CampaignStats) {
  return { campaignId: stats.campaignId, status: stats.state, at: stats.at, stats: toStatsView(stats) };
}

/** The SSE route. */
export const campaignEventRoutes: FastifyPluginAsyncZod = async (app) => {
  const open = new Set<() => void>();
  // End live streams first, so that closing the server does not wait for them.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get(
    '/campaigns/:id/events',
    {
      config: { queryToken: true },
      schema: {
        tags: ['campaigns'],
        summary: 'Live stats as Server-Sent Events (`stats` events, then `end` once the campaign finishes)',
        description:
          'Each `stats` event carries `{ campaignId, status, at, stats }`. Browsers’ EventSource cannot send headers, so this route also takes the token as `?access_token=`.',
        security: bearerAuth,
        params: idParams,
        querystring: z.strictObject({ access_token: z.string().optional() }),
        produces: ['text/event-stream'],
        response: {
          200: z
            .string()
            .describe(
              `text/event-stream; data of each stats event: ${JSON.stringify(Object.keys(campaignSchema.shape.stats.shape))}`,
            ),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const campaign = await app.crm.campaigns.get(id);
      if (campaign === null) throw new NotFoundError('campaign', id);

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let ended = false;
      let unsubscribe: (() => Promise<void>) | undefined;
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        open.delete(end);
        void unsubscribe?.().catch(() => {});
        raw.end();
      };
      open.add(end);
      request.raw.on('close', end);

      let last = -1;
      const send = (stats: CampaignStats) => {
        if (ended || stats.at < last) return;
        last = stats.at;
        raw.write(frame('stats', statsEvent(stats)));
        if (FINISHED.has(stats.state)) {
          raw.write(frame('end', { campaignId: id, status: stats.state }));
          end();
        }
      };
      unsubscribe = await app.crm.subscribe('campaign.stats', (stats) => {
        if (stats.campaignId === id) send(stats);
      });
      if (ended) await unsubscribe();
      else send(await app.crm.campaigns.stats(id));
    },
  );
};
