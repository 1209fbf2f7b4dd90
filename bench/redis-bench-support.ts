/**
 * Helpers of the campaign-redis benchmark: worker processes, and what redis-server reports about its
 * own work (CPU time, time per command and per Lua script).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

const root = fileURLToPath(new URL('..', import.meta.url));
const workerFile = fileURLToPath(new URL('redis-worker-process.ts', import.meta.url));

/** How a worker process is set up. */
export interface WorkerSettings {
  readonly url: string;
  readonly prefix: string;
  readonly name: string;
  readonly batchSize: number;
  readonly concurrency: number;
  /** The simulated vendor's answer time per send. */
  readonly latencyMs: number;
  /** Write a CPU profile to .tmp/redis-worker-prof/. */
  readonly profile: boolean;
}

/** A running bench/redis-worker-process.ts. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM, then waits for a clean exit (throws on another exit code). */
  stop(): Promise<void>;
}

/** What a worker process printed when it stopped. */
export interface WorkerEnd {
  /** Calls to the simulator (= send attempts it made). */
  readonly calls: number;
  readonly cpuSeconds: number;
}

/** Starts a worker process and resolves once it is consuming. */
export async function startWorker(settings: WorkerSettings): Promise<WorkerProcess> {
  const { name } = settings;
  const profile = settings.profile ? ['--cpu-prof', '--cpu-prof-dir=.tmp/redis-worker-prof'] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', workerFile], {
    cwd: root,
    env: {
      ...process.env,
      REDIS_URL: settings.url,
      MINICRM_PREFIX: settings.prefix,
      WORKER_NAME: name,
      BATCH_SIZE: String(settings.batchSize),
      WORKER_CONCURRENCY: String(settings.concurrency),
      SIM_LATENCY_MS: String(settings.latencyMs),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes(`READY ${name}`)) resolve();
    });
    void exited.then((code) => reject(new Error(`worker ${name} exited (${code}) before it was ready`)));
  });
  return {
    child,
    output: () => text,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`worker ${name} exited with ${code}:\n${text}`);
    },
  };
}

/** The stop report of a stopped worker process (zeros if it printed none). */
export function workerEnd(worker: WorkerProcess): WorkerEnd {
  const json = /STOPPED \S+ (\{.*\})/.exec(worker.output())?.[1];
  return json === undefined ? { calls: 0, cpuSeconds: 0 } : (JSON.parse(json) as WorkerEnd);
}

/** CPU seconds redis-server has used (user + system), from INFO. */
export async function redisCpuSeconds(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Starts counting what {@link topCommands} and {@link topScripts} report. */
export async function startRedisProfile(client: Redis): Promise<void> {
  await client.config('RESETSTAT');
  await client.config('SET', 'slowlog-max-len', '100000');
  await client.config('SET', 'slowlog-log-slower-than', '100'); // µs: skips the commands scripts run
  await client.slowlog('RESET');
}

/** The commands redis-server spent most time in since {@link startRedisProfile}. */
export async function topCommands(client: Redis): Promise<string> {
  const info = await client.info('commandstats');
  const rows = [...info.matchAll(/cmdstat_(\S+?):calls=(\d+),usec=(\d+)/g)]
    .map(([, name, calls, usec]) => ({ name, calls: Number(calls), ms: Number(usec) / 1000 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 8);
  return rows.map((r) => `  ${r.name}: ${r.calls} calls, ${r.ms.toFixed(0)} ms`).join('\n');
}

/**
 * Time per Lua script since {@link startRedisProfile}, from the slow log (which then logs every
 * command over 100 µs), named by the script's first key, since the sha alone says little.
 */
export async function topScripts(client: Redis): Promise<string> {
  const log = (await client.slowlog('GET', -1)) as [number, number, number, string[]][];
  const rows = new Map<string, { calls: number; ms: number }>();
  for (const [, , usec, args] of log) {
    if (String(args[0]).toLowerCase() !== 'evalsha') continue;
    const name = `${String(args[1]).slice(0, 8)} ${String(args[3] ?? '')
      .replace(/^\{[^}]*\}/, '')
      .replace(/[~].*$/, '')}`;
    const row = rows.get(name) ?? { calls: 0, ms: 0 };
    row.calls++;
    row.ms += usec / 1000;
    rows.set(name, row);
  }
  return [...rows]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([name, r]) => `  script ${name}: ${r.calls} calls, ${r.ms.toFixed(0)} ms`)
    .join('\n');
}

/** Deletes a finished campaign's deliveries, index and counters (they share its hash tag). */
export async function deleteCampaignKeys(client: Redis, prefix: string, campaignId: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `{${prefix}:cmp:${campaignId}}:*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}

/** The median of `xs` (not empty). */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
