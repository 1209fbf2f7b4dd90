/**
 * Test helper: `build()` starts the app on a free loopback port and closes it when the test ends;
 * `TestServer` is a small HTTP client of it (real requests with `fetch`).
 */
import { createServer } from 'node:net';
import { onTestFinished } from 'vitest';
import { type App, type AppOverrides, buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { signReceiptBody } from '../src/receipts/signature.js';

/** Secrets the test servers use. */
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
export const TEST_RECEIPT_SECRET = 'test-receipt-secret-0123456789';

/** An HTTP answer: status, headers and the parsed JSON body (or text). */
export interface Answer<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** Options of one request. */
export interface RequestOptions {
  /** JSON body (serialized) or raw text. */
  readonly body?: unknown;
  /** Bearer token; `null` for none. @default the server's dev-login token */
  readonly token?: string | null;
  readonly headers?: Record<string, string>;
}

/** A server listening on loopback, with a client. */
export interface TestServer {
  readonly app: App;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** A dev-login token. */
  readonly token: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field with expect().
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<Answer<T>>;
  /** POSTs `body` to `/api/receipts` signed with the test secret. */
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field with expect().
  postReceipts(body: unknown, options?: { secret?: string; signature?: string | null }): Promise<Answer<any>>;
}

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Builds the app from `env` (on top of test defaults: silent logs, no demo data, fixed secrets)
 * and listens on 127.0.0.1. The app is closed when the current test finishes.
 */
export async function build(
  env: Record<string, string> = {},
  overrides: AppOverrides = {},
): Promise<TestServer> {
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SEED_DEMO_DATA: 'false',
    JWT_SECRET: TEST_JWT_SECRET,
    RECEIPT_SECRET: TEST_RECEIPT_SECRET,
    PORT: String(port),
    ...env,
  });
  const app = await buildApp(config, { logger: false, ...overrides });
  onTestFinished(() => app.close());
  await app.listen({ port: config.port, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;

  async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? server.token : options.token;
    if (token !== null && token !== '') headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('application/json') && text !== '') {
      parsed = JSON.parse(text);
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  const server: { token: string } & Omit<TestServer, 'token'> = {
    app,
    url,
    token: '',
    request,
    postReceipts(body, options = {}) {
      const raw = JSON.stringify(body);
      const signature =
        options.signature === undefined
          ? signReceiptBody(options.secret ?? config.receiptSecret.value, raw)
          : options.signature;
      return request('POST', '/api/receipts', {
        body: raw,
        token: null,
        headers: signature === null ? {} : { 'x-minicrm-signature': signature },
      });
    },
  };
  if (config.devLogin) {
    const login = await request<{ token: string }>('POST', '/api/auth/dev-login', {
      body: { email: 'tester@example.com' },
      token: null,
    });
    server.token = login.body.token;
  }
  return server;
}
