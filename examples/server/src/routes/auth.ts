/** `POST /api/auth/dev-login` and `POST /api/auth/google`: exchange a proof of identity for a bearer token. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.js';
import { HttpError } from '../plugins/http-error.js';
import { errorResponses } from '../schemas/common.js';

const tokenSchema = z.object({
  token: z.string().describe('Send as `Authorization: Bearer <token>`'),
  expiresIn: z.string().describe('Lifetime, e.g. `12h`'),
});

/** Options of {@link authRoutes}. */
export interface AuthRoutesOptions {
  readonly config: Config;
}

/** Sign-in routes (no bearer token needed), rate limited per client IP. */
export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, { config }) => {
  const rateLimit =
    config.rateLimit.auth > 0 ? { max: config.rateLimit.auth, timeWindow: '1 minute' } : false;

  app.post(
    '/dev-login',
    {
      config: { rateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Development sign-in: a token for any email (off in production unless AUTH_DEV_LOGIN=true)',
        body: z.strictObject({ email: z.email(), name: z.string().min(1).max(200).optional() }),
        response: { 200: tokenSchema, ...errorResponses, 403: errorResponses[401] },
      },
    },
    async (request) => {
      if (!config.devLogin) {
        throw new HttpError(
          403,
          'DEV_LOGIN_DISABLED',
          'dev login is off: set AUTH_DEV_LOGIN=true to allow it',
        );
      }
      const { email, name } = request.body;
      const token = await app.auth.issue({ email, ...(name === undefined ? {} : { name }), via: 'dev' });
      return { token, expiresIn: config.jwt.ttl };
    },
  );

  app.post(
    '/google',
    {
      config: { rateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Google sign-in: exchange a Google ID token (audience GOOGLE_CLIENT_ID) for a token',
        body: z.strictObject({ idToken: z.string().min(1).max(10_000) }),
        response: { 200: tokenSchema, ...errorResponses, 403: errorResponses[401] },
      },
    },
    async (request) => {
      const user = await app.auth.verifyGoogle(request.body.idToken);
      return { token: await app.auth.issue(user), expiresIn: config.jwt.ttl };
    },
  );
};
