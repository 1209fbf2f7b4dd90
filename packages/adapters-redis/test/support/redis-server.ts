import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A redis-server process started by a test, on a free loopback port. */
export interface RedisServerProcess {
  readonly url: string;
  readonly port: number;
  /** Data directory (AOF files live here when `appendonly` is on). */
  readonly dir: string;
  /** Stops the server gracefully (SHUTDOWN) and removes its directory unless `keepDir`. */
  stop(options?: { keepDir?: boolean }): Promise<void>;
  /** Kills the server with SIGKILL (no shutdown save). */
  kill(): Promise<void>;
  /** Starts the server again on the same port and directory (after `kill` or `stop({ keepDir: true })`). */
  restart(): Promise<void>;
}

/** True when `redis-server` is on PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {}); // refused while the server starts: expected
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    if (Date.now() > deadline)
      throw new Error(`redis-server at ${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts `redis-server` from PATH on a free loopback port, with nothing saved to disk unless
 * `appendonly` is on (then an AOF with `appendfsync always` in a temp directory, so a kill loses
 * nothing acknowledged).
 */
export async function startRedisServer(options: { appendonly?: boolean } = {}): Promise<RedisServerProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'minicrm-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--dir',
    dir,
    '--appendonly',
    options.appendonly ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--protected-mode',
    'no',
  ];
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitForPing(url, 10_000);
  };
  const exited = () =>
    new Promise<void>((resolve) => {
      const c = child as ChildProcess | null;
      if (c === null || c.exitCode !== null || c.signalCode !== null) resolve();
      else c.once('exit', () => resolve());
    });
  await launch();
  return {
    url,
    port,
    dir,
    async stop(stopOptions = {}) {
      const c = child as ChildProcess | null;
      if (c !== null && c.exitCode === null && c.signalCode === null) {
        const done = exited();
        c.kill('SIGTERM');
        await done;
      }
      if (stopOptions.keepDir !== true) rmSync(dir, { recursive: true, force: true });
    },
    async kill() {
      const done = exited();
      (child as ChildProcess | null)?.kill('SIGKILL');
      await done;
    },
    async restart() {
      await launch();
    },
  };
}
