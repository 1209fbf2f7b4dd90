import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from './helper.js';

const CLIENT_ID = 'test-client.apps.googleusercontent.com';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** A loopback JWKS endpoint serving a locally generated RSA key, standing in for Google's. */
let jwksServer: Server;
let jwksUrl: string;
let privateKey: PrivateKey;
let otherKey: PrivateKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwksServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const address = jwksServer.address();
  jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/certs`;
});

afterAll(async () => {
  await new Promise((resolve) => jwksServer.close(resolve));
});

function googleToken(
  claims: Record<string, unknown> = {},
  options: { key?: PrivateKey; audience?: string; issuer?: string; expires?: string } = {},
) {
  return new SignJWT({ email: 'ada@example.com', email_verified: true, name: 'Ada', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setSubject('1234567890')
    .setIssuer(options.issuer ?? 'https://accounts.google.com')
    .setAudience(options.audience ?? CLIENT_ID)
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '1h')
    .sign(options.key ?? privateKey);
}

describe('dev login', () => {
  it('issues a token that opens the API; every /api route but sign-in needs one', async () => {
    const server = await build();
    const login = await server.request('POST', '/api/auth/dev-login', {
      body: { email: 'ada@example.com', name: 'Ada' },
      token: null,
    });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ token: expect.any(String), expiresIn: '12h' });
    expect((await server.request('GET', '/api/fields', { token: login.body.token })).status).toBe(200);

    const missing = await server.request('GET', '/api/fields', { token: null });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      statusCode: 401,
      code: 'UNAUTHORIZED',
      error: 'Unauthorized',
      message: expect.stringContaining('bearer token'),
    });
    const garbage = await server.request('GET', '/api/customers', { token: 'not-a-jwt' });
    expect(garbage.status).toBe(401);
    expect(garbage.body.code).toBe('UNAUTHORIZED');
  });

  it('refuses a token signed with another secret, or expired', async () => {
    const server = await build();
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x@example.com')
      .setIssuer('minicrm-example-server')
      .setAudience('minicrm-api')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
    expect((await server.request('GET', '/api/fields', { token: foreign })).status).toBe(401);
    const other = await build({ JWT_TTL: '1s' });
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x@example.com')
      .setIssuer('minicrm-example-server')
      .setAudience('minicrm-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode('test-jwt-secret-0123456789abcdef0123456789'));
    const answer = await other.request('GET', '/api/fields', { token: expired });
    expect(answer.status).toBe(401);
    expect(answer.body.message).toBe('token expired');
  });

  it('is off in production unless AUTH_DEV_LOGIN=true', async () => {
    const server = await build({ NODE_ENV: 'production' });
    const answer = await server.request('POST', '/api/auth/dev-login', {
      body: { email: 'ada@example.com' },
      token: null,
    });
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('DEV_LOGIN_DISABLED');
  });

  it('validates the email and rate-limits sign-in per client', async () => {
    const server = await build({ RATE_LIMIT_AUTH: '4' });
    const bad = await server.request('POST', '/api/auth/dev-login', { body: { email: 'nope' }, token: null });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([
      { path: ['email'], code: 'invalid_format', message: expect.any(String) },
    ]);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (
          await server.request('POST', '/api/auth/dev-login', {
            body: { email: 'a@example.com' },
            token: null,
          })
        ).status,
      );
    }
    // build()'s own sign-in and the refused one count too: the 4 per minute are used up by then.
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await server.request('POST', '/api/auth/dev-login', {
      body: { email: 'a@example.com' },
      token: null,
    });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(limited.headers.get('retry-after')).not.toBeNull();
  });
});

describe('Google sign-in', () => {
  it('exchanges a valid Google ID token for a token', async () => {
    const server = await build({ GOOGLE_CLIENT_ID: CLIENT_ID, GOOGLE_JWKS_URL: jwksUrl });
    const answer = await server.request('POST', '/api/auth/google', {
      body: { idToken: await googleToken() },
      token: null,
    });
    expect(answer.status).toBe(200);
    expect((await server.request('GET', '/api/fields', { token: answer.body.token })).status).toBe(200);
    const legacyIssuer = await server.request('POST', '/api/auth/google', {
      body: { idToken: await googleToken({}, { issuer: 'accounts.google.com' }) },
      token: null,
    });
    expect(legacyIssuer.status).toBe(200);
  });

  it.each([
    ['another audience', () => googleToken({}, { audience: 'someone-else' })],
    ['another issuer', () => googleToken({}, { issuer: 'https://evil.example.com' })],
    ['another key', () => googleToken({}, { key: otherKey })],
    ['an expired token', () => googleToken({}, { expires: '-1m' })],
    ['an unverified email', () => googleToken({ email_verified: false })],
    ['no token at all', async () => 'not.a.token'],
  ])('refuses %s with 401', async (_name, token) => {
    const server = await build({ GOOGLE_CLIENT_ID: CLIENT_ID, GOOGLE_JWKS_URL: jwksUrl });
    const answer = await server.request('POST', '/api/auth/google', {
      body: { idToken: await token() },
      token: null,
    });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('UNAUTHORIZED');
  });

  it('is off without GOOGLE_CLIENT_ID', async () => {
    const server = await build({ GOOGLE_JWKS_URL: jwksUrl });
    const answer = await server.request('POST', '/api/auth/google', {
      body: { idToken: await googleToken() },
      token: null,
    });
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('GOOGLE_SIGNIN_DISABLED');
  });

  it('answers 503 when the JWKS cannot be fetched', async () => {
    const server = await build({ GOOGLE_CLIENT_ID: CLIENT_ID, GOOGLE_JWKS_URL: 'http://127.0.0.1:1/certs' });
    const answer = await server.request('POST', '/api/auth/google', {
      body: { idToken: await googleToken() },
      token: null,
    });
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe('GOOGLE_UNAVAILABLE');
  });
});
