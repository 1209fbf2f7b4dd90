/**
 * Authentication: HS256 bearer tokens signed with `JWT_SECRET` (jose), the `authenticate` hook every
 * protected route uses, and Google ID token verification against Google's JWKS.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Config } from '../config.js';
import { HttpError } from './http-error.js';

/** Who made a request, from their bearer token. */
export interface AuthUser {
  /** The subject: the user's email address. */
  readonly email: string;
  readonly name?: string;
  /** How they signed in. */
  readonly via: 'dev' | 'google';
}

/** Issues and checks the server's bearer tokens. */
export interface Auth {
  /** Signs a token for `user`, valid for `JWT_TTL`. */
  issue(user: AuthUser): Promise<string>;
  /** The user of a valid token; throws 401 `UNAUTHORIZED` otherwise. */
  verify(token: string): Promise<AuthUser>;
  /** Verifies a Google ID token (audience `GOOGLE_CLIENT_ID`) and returns its verified user. */
  verifyGoogle(idToken: string): Promise<AuthUser>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Token issuing and checking. */
    auth: Auth;
    /** `onRequest` hook: requires `Authorization: Bearer <token>` and sets `request.user`. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
  interface FastifyContextConfig {
    /** The route also takes the token as `?access_token=` (for EventSource, which cannot set headers). */
    queryToken?: boolean;
  }
  interface FastifyRequest {
    /** The signed-in user, set by `authenticate`. */
    user: AuthUser | null;
  }
}

const ISSUER = 'minicrm-example-server';
const AUDIENCE = 'minicrm-api';
const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

function unauthorized(message: string): HttpError {
  return new HttpError(401, 'UNAUTHORIZED', message);
}

/** Options of {@link authPlugin}. */
export interface AuthPluginOptions {
  readonly config: Config;
}

/** Decorates `auth`, `authenticate` and `request.user`. */
export const authPlugin = fp<AuthPluginOptions>(
  async (app, { config }) => {
    const secret = new TextEncoder().encode(config.jwt.secret);
    const jwks = createRemoteJWKSet(new URL(config.google.jwksUrl), { timeoutDuration: 5000 });

    const auth: Auth = {
      async issue(user) {
        return new SignJWT({ ...(user.name === undefined ? {} : { name: user.name }), via: user.via })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(user.email)
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime(config.jwt.ttl)
          .sign(secret);
      },
      async verify(token) {
        try {
          const { payload } = await jwtVerify(token, secret, {
            issuer: ISSUER,
            audience: AUDIENCE,
            algorithms: ['HS256'],
          });
          return {
            email: String(payload.sub),
            ...(typeof payload.name === 'string' ? { name: payload.name } : {}),
            via: payload.via === 'google' ? 'google' : 'dev',
          };
        } catch (error) {
          throw unauthorized(error instanceof joseErrors.JWTExpired ? 'token expired' : 'invalid token');
        }
      },
      async verifyGoogle(idToken) {
        if (config.google.clientId === null) {
          throw new HttpError(403, 'GOOGLE_SIGNIN_DISABLED', 'Google sign-in is off: set GOOGLE_CLIENT_ID');
        }
        let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
        try {
          ({ payload } = await jwtVerify(idToken, jwks, {
            audience: config.google.clientId,
            issuer: GOOGLE_ISSUERS,
            algorithms: ['RS256'],
          }));
        } catch (error) {
          if (error instanceof joseErrors.JOSEError && !(error instanceof joseErrors.JWKSTimeout)) {
            throw unauthorized(`invalid Google ID token (${error.code})`);
          }
          app.log.error({ err: error }, 'Google JWKS unavailable');
          throw new HttpError(503, 'GOOGLE_UNAVAILABLE', 'could not reach Google to verify the token');
        }
        if (typeof payload.email !== 'string' || payload.email_verified !== true) {
          throw unauthorized('the Google account has no verified email');
        }
        return {
          email: payload.email,
          ...(typeof payload.name === 'string' ? { name: payload.name } : {}),
          via: 'google',
        };
      },
    };

    app.decorate('auth', auth);
    app.decorateRequest('user', null);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const header = request.headers.authorization;
      const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
      const queryToken = request.routeOptions.config.queryToken
        ? (request.query as { access_token?: unknown }).access_token
        : undefined;
      const token = match?.[1] ?? (typeof queryToken === 'string' ? queryToken : undefined);
      if (token === undefined) throw unauthorized('missing bearer token: send Authorization: Bearer <token>');
      request.user = await auth.verify(token);
    });
  },
  { name: 'auth', fastify: '5.x' },
);
