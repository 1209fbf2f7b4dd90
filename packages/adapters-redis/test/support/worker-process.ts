/**
 * A MiniCRM worker in a process of its own, for the multi-process tests: Redis storage, queue and
 * bus on its own ioredis client, and the shared vendor ledger as its `sms` channel.
 *
 * Run as a child with `node --import tsx test/support/worker-process.ts` from packages/adapters-redis
 * (so the package's tsconfig paths resolve `@minicrm/core` to its sources), configured by the
 * environment (see {@link startWorkerProcess}). It prints `READY <name> <pid>` once its worker runs,
 * and on SIGTERM stops gracefully (finishes the batch in hand, closes what it opened), prints
 * `STOPPED <name>` and exits 0.
 *
 * Imported (by a test), it only exports the spawning helper and the settings every process shares.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMiniCrm, type Logger, type RetrySettings } from '@minicrm/core';
import { Redis } from 'ioredis';
import { createRedisEventBus, createRedisJobQueue, createRedisStorage } from '../../src/index.js';
import { createVendorLedgerChannel } from './vendor-ledger.js';

/** Retry policy of every process of a multi-process test (the launcher's and the workers'). */
export const SHARED_RETRY: Required<RetrySettings> = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 50 };
/** Seed of the ledger's per-key outcomes. */
export const LEDGER_SEED = 11;

/** Options of {@link startWorkerProcess}. */
export interface WorkerProcessOptions {
  readonly url: string;
  /** Key prefix of the test (storage, queue, bus and ledger). */
  readonly prefix: string;
  /** Worker (consumer) name; also its sender name in the ledger. */
  readonly name: string;
  /** @default 2000 */
  readonly visibilityTimeoutMs?: number;
  /** @default 100 */
  readonly batchSize?: number;
  /** The ledger's answer latency in this worker (see `VendorLedgerOptions`). @default 0 */
  readonly answerLatencyMs?: number;
}

/** A running worker process. */
export interface WorkerProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed so far (stdout and stderr), for diagnostics. */
  output(): string;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful stop), and wait for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Spawns a worker process and waits for its `READY` line (rejects if it exits first or after 30 s). */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    cwd: packageDir,
    env: {
      ...process.env,
      REDIS_URL: options.url,
      MINICRM_PREFIX: options.prefix,
      WORKER_NAME: options.name,
      VISIBILITY_TIMEOUT_MS: String(options.visibilityTimeoutMs ?? 2000),
      BATCH_SIZE: String(options.batchSize ?? 100),
      ANSWER_LATENCY_MS: String(options.answerLatencyMs ?? 0),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const ready = new Promise<void>((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`worker ${options.name} not ready in 30 s:\n${text}`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes(`READY ${options.name}`)) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`worker ${options.name} exited (${code ?? signal}) before it was ready:\n${text}`));
    });
  });
  await ready;
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name: options.name,
    pid: child.pid as number,
    child,
    exited,
    output: () => text,
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop(timeoutMs = 20_000) {
      if (alive()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const end = await exited;
      clearTimeout(timer);
      return end;
    },
  };
}

/** Writes warnings and errors to stderr, so a test can show what a worker went through. */
const stderrLogger = (name: string): Logger => ({
  info() {},
  warn(obj, msg) {
    process.stderr.write(`[${name}] WARN ${msg ?? ''} ${describe(obj)}\n`);
  },
  error(obj, msg) {
    process.stderr.write(`[${name}] ERROR ${msg ?? ''} ${describe(obj)}\n`);
  },
});

function describe(obj: object): string {
  const err = (obj as { err?: unknown }).err;
  return err instanceof Error ? `${err.name}: ${err.message}` : JSON.stringify(obj);
}

async function main(): Promise<void> {
  const env = (name: string) => {
    const value = process.env[name];
    if (value === undefined || value === '') throw new Error(`${name} is not set`);
    return value;
  };
  const name = env('WORKER_NAME');
  const prefix = env('MINICRM_PREFIX');
  // Commands wait for a reconnect instead of failing (a restarted Redis comes back).
  const client = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: null });
  client.on('error', () => {}); // ioredis reconnects by itself; commands wait meanwhile
  const storage = createRedisStorage({ client, prefix });
  const queue = createRedisJobQueue({ client, prefix });
  const bus = createRedisEventBus({ client, prefix });
  const crm = createMiniCrm({
    storage,
    queue,
    bus,
    channels: [
      createVendorLedgerChannel({
        client,
        prefix,
        sender: name,
        seed: LEDGER_SEED,
        answerLatencyMs: Number(process.env.ANSWER_LATENCY_MS ?? 0),
      }),
    ],
    retry: SHARED_RETRY,
    logger: stderrLogger(name),
  });
  const worker = crm.createWorker({
    name,
    batchSize: Number(env('BATCH_SIZE')),
    visibilityTimeoutMs: Number(env('VISIBILITY_TIMEOUT_MS')),
    blockMs: 100,
    maintenanceIntervalMs: 200,
  });
  worker.start();
  await client.ping();
  process.stdout.write(`READY ${name} ${process.pid}\n`);

  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await crm.close(); // stops the worker: the batch in hand finishes, jobs not taken stay queued
      await queue.close();
      await bus.close();
      await storage.close();
      await client.quit();
      process.stdout.write(`STOPPED ${name}\n`);
      process.exit(0);
    })().catch((error: unknown) => {
      process.stderr.write(`[${name}] shutdown failed: ${String(error)}\n`);
      process.exit(1);
    });
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
