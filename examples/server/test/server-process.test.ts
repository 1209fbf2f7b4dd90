/**
 * The server as a process, the way `pnpm demo` and deployments run it: start-up banner, refused
 * configuration, `--worker` mode, graceful shutdown on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import type {} from '../../../packages/adapters-redis/test/support/global-setup.js';
import { waitFinished } from './campaign-flow.js';
import { build, freePort } from './helper.js';

const redisUrl = inject('redisUrl');

const root = fileURLToPath(new URL('../../..', import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;

interface Run {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>, args: string[] = []): Run {
  const child = spawn(
    tsx,
    ['--tsconfig', 'examples/server/tsconfig.json', 'examples/server/src/server.ts', ...args],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, output: () => output, exited };
}

async function waitFor(run: Run, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes(text)) {
    if (Date.now() > deadline || run.child.exitCode !== null)
      throw new Error(`no "${text}" in:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the server process', () => {
  it('starts on the embedded default, prints its URLs and a dev login, and shuts down on SIGTERM', {
    timeout: 60_000,
  }, async () => {
    const port = await freePort();
    const run = start({ PORT: String(port), DEMO_CUSTOMERS: '100' });
    await waitFor(run, 'Dev login');
    expect(run.output()).toContain(`MiniCRM server   http://127.0.0.1:${port}`);
    expect(run.output()).toContain(`http://127.0.0.1:${port}/docs`);
    expect(run.output()).toContain(`curl -s -X POST http://127.0.0.1:${port}/api/auth/dev-login`);
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/dev-login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'you@example.com' }),
    });
    const { token } = (await login.json()) as { token: string };
    const customers = await fetch(`http://127.0.0.1:${port}/api/customers?limit=1000`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await customers.json()) as { items: unknown[] }).items).toHaveLength(100);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('"msg":"shutting down"');
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('refuses bad configuration, naming each bad variable', { timeout: 60_000 }, async () => {
    const run = start({ PORT: 'eighty', SIMULATOR_SUCCESS_RATE: '2' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('invalid configuration: 2 problems');
    expect(run.output()).toContain('  - PORT: ');
    expect(run.output()).toContain('  - SIMULATOR_SUCCESS_RATE: must be from 0 to 1');
  });

  it('refuses --worker without a shared queue', { timeout: 60_000 }, async () => {
    const run = start({}, ['--worker']);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('REDIS_URL: is required with --worker');
  });

  it.skipIf(redisUrl === '')(
    'runs a worker alone with --worker: an API without a worker launches, the worker process sends',
    { timeout: 90_000 },
    async () => {
      const env = {
        REDIS_URL: redisUrl,
        REDIS_PREFIX: `wrk-${randomUUID().slice(0, 8)}`,
        SIMULATOR_SUCCESS_RATE: '1',
      };
      const api = await build(env, { worker: false });
      const worker = start({ ...env, LOG_LEVEL: 'info', JWT_SECRET: 'w'.repeat(32) }, ['--worker']);
      await waitFor(worker, 'worker started');
      await api.request('POST', '/api/customers', {
        body: {
          customers: [
            { id: 'c1', name: 'Asha', phone: '+919800000001' },
            { id: 'c2', name: 'Ravi', phone: '+919800000002' },
          ],
        },
      });
      const campaign = await api.request('POST', '/api/campaigns', {
        body: {
          name: 'From the worker',
          channel: 'sms',
          template: 'Hi {{ customer.name }}',
          rules: { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] },
        },
      });
      await api.request('POST', `/api/campaigns/${campaign.body.id}/launch`);
      const done = await waitFinished(api, campaign.body.id, 60_000);
      expect(done.stats).toMatchObject({ total: 2, delivered: 2, attempts: 2 });
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    },
  );
});
