/**
 * Third-party plugins, registered first: zod validation and serialization, security headers,
 * CORS, rate limiting (per route), and the OpenAPI document with Swagger UI.
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import {
  createJsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import { RULE_COMPONENTS } from '../schemas/segment.js';
import { HttpError } from './http-error.js';
import { pruneUnreferencedSchemas } from './openapi-prune.js';

/** Options of {@link externalPlugins}. */
export interface ExternalPluginsOptions {
  readonly config: Config;
}

/** Registers the third-party plugins every route relies on. */
export const externalPlugins = fp<ExternalPluginsOptions>(
  async (app, { config }) => {
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);

    if (config.securityHeaders) {
      await app.register(helmet, {
        // Swagger UI and the dashboard load their own scripts and styles from this origin.
        contentSecurityPolicy: {
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            styleSrc: ["'self'", "'unsafe-inline'"],
            imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
            connectSrc: ["'self'"],
            // The server is often reached over plain HTTP on loopback; do not ask for HTTPS.
            upgradeInsecureRequests: null,
          },
        },
      });
    }
    if (config.corsOrigins.length > 0) {
      await app.register(cors, {
        origin: config.corsOrigins.includes('*') ? true : [...config.corsOrigins],
        methods: ['GET', 'POST', 'PUT', 'DELETE'],
        allowedHeaders: ['authorization', 'content-type', 'x-minicrm-signature'],
        maxAge: 600,
      });
    }
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new HttpError(429, 'RATE_LIMITED', `rate limit exceeded: retry in ${context.after}`),
    });

    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'MiniCRM reference server',
          description:
            'Segment-targeted messaging campaigns over HTTP: customers, orders and events in; segments; campaigns with live stats; delivery receipts. Errors share one shape (`Error`) with a stable `code`.',
          version: '0.1.0',
        },
        servers: [{ url: config.publicUrl }],
        tags: [
          { name: 'auth', description: 'Sign in: a bearer token for every other /api route' },
          { name: 'customers', description: 'Customers, CSV import, orders and events' },
          { name: 'segments', description: 'Rule trees, audience preview, saved segments' },
          { name: 'campaigns', description: 'Campaigns, their life cycle, stats and delivery log' },
          { name: 'receipts', description: 'Delivery receipt webhook (HMAC-signed)' },
          { name: 'ai', description: 'Message suggestions' },
          { name: 'vendor', description: 'The vendor simulator as an HTTP service' },
          { name: 'ops', description: 'Health, readiness, metrics' },
        ],
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
            receiptSignature: {
              type: 'apiKey',
              in: 'header',
              name: 'x-minicrm-signature',
              description:
                '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with RECEIPT_SECRET>`',
            },
          },
          // biome-ignore lint/suspicious/noExplicitAny: JSON Schema literals are wider than the OpenAPI types.
          schemas: RULE_COMPONENTS as any,
        },
      },
      transform: createJsonSchemaTransform({ skipList: ['/openapi.json', '/docs', '/docs/*'] }),
      transformObject: (document) => pruneUnreferencedSchemas(jsonSchemaTransformObject(document)),
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'external', fastify: '5.x' },
);
