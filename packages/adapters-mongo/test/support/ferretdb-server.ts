import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { freePort } from '../../../adapters-redis/test/support/redis-server.js';

/** A FerretDB server started by the tests. */
export interface FerretDbProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/** Where the `ferretdb` binary is: PATH, else `$(go env GOPATH)/bin`; `undefined` when absent. */
export function findFerretDb(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v ferretdb'], { encoding: 'utf8' });
  if (onPath.status === 0) return onPath.stdout.trim();
  const go = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
  const gopath = spawnSync(go, ['env', 'GOPATH'], { encoding: 'utf8' });
  const dirs = [gopath.status === 0 ? gopath.stdout.trim() : '', join(homedir(), 'go')].filter(
    (d) => d !== '',
  );
  return dirs.map((d) => join(d, 'bin', 'ferretdb')).find((bin) => existsSync(bin));
}

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 500 });
    try {
      await client.db('admin').command({ ping: 1 });
      return;
    } catch {
      // not up yet
    } finally {
      await client.close().catch(() => {});
    }
    if (Date.now() > deadline) throw new Error(`FerretDB at ${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts FerretDB (`--handler=sqlite` in a temp directory, telemetry off) on free loopback ports.
 */
export async function startFerretDb(binary: string): Promise<FerretDbProcess> {
  const [port, debugPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'minicrm-ferretdb-'));
  const child: ChildProcess = spawn(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      `--debug-addr=127.0.0.1:${debugPort}`,
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: 'ignore' },
  );
  const url = `mongodb://127.0.0.1:${port}/`;
  await waitForPing(url, 20_000);
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
