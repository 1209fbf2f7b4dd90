/**
 * The server's configuration: every environment variable, validated once at start-up. A bad value
 * stops start-up with one message naming each bad variable.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
    error: 'must be true or false (or 1/0, yes/no, on/off)',
  })
  .transform((v) => v === 'true' || v === '1' || v === 'yes' || v === 'on');

const url = (protocols: readonly string[]) =>
  z
    .url({ error: `must be a URL (${protocols.join(', ')})` })
    .refine((value) => protocols.some((p) => value.startsWith(`${p}//`)), {
      error: `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    });

const positiveInt = (max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(0, { error: 'must be ≥ 0' })
    .max(max, { error: `must be ≤ ${max}` });

/** The environment variables the server reads, as a zod schema (raw strings in, typed values out). */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: positiveInt(65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/, 'letters, digits, _ : . - only')
    .default('minicrm'),
  MONGO_URL: url(['mongodb:', 'mongodb+srv:']).optional(),
  MONGO_DB: z
    .string()
    .regex(/^[\w-]{1,63}$/, 'letters, digits, _ and - only')
    .default('minicrm'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL: z
    .string()
    .regex(/^\d+\s*(s|m|h|d)$/, 'must be a duration such as 30m, 12h or 7d')
    .default('12h'),
  RECEIPT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SEED_DEMO_DATA: flag.optional(),
  DEMO_CUSTOMERS: positiveInt(1_000_000).default(1000),
  AUTH_DEV_LOGIN: flag.optional(),
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_JWKS_URL: url(['http:', 'https:']).default('https://www.googleapis.com/oauth2/v3/certs'),
  CHANNEL: z.enum(['simulator', 'http-vendor']).default('simulator'),
  VENDOR_URL: url(['http:', 'https:']).optional(),
  VENDOR_TIMEOUT_MS: positiveInt(600_000).default(5000),
  VENDOR_CALLBACK_DELAY_MS: z
    .string()
    .regex(/^\d{1,7}(-\d{1,7})?$/, 'must be milliseconds, or a range such as 20-200')
    .refine((v) => {
      const [min, max] = v.split('-').map(Number);
      return max === undefined || (min as number) <= max;
    }, 'the range must be min-max with min ≤ max')
    .default('20-200'),
  SIMULATOR_SUCCESS_RATE: z.coerce
    .number({ error: 'must be a number' })
    .min(0, 'must be from 0 to 1')
    .max(1, 'must be from 0 to 1')
    .default(0.9),
  WORKER_CONCURRENCY: positiveInt(64)
    .refine((n) => n >= 1, { error: 'must be ≥ 1' })
    .default(1),
  RETRY_BASE_MS: positiveInt(3_600_000).optional(),
  RETRY_MAX_MS: positiveInt(86_400_000).optional(),
  BODY_LIMIT_BYTES: positiveInt(100 * 1024 * 1024).default(1024 * 1024),
  IMPORT_LIMIT_BYTES: positiveInt(1024 * 1024 * 1024).default(50 * 1024 * 1024),
  CORS_ORIGINS: z.string().default(''),
  SECURITY_HEADERS: flag.default(true),
  TRUST_PROXY: flag.default(false),
  RATE_LIMIT_AUTH: positiveInt(1_000_000).default(20),
  RATE_LIMIT_RECEIPTS: positiveInt(100_000_000).default(60_000),
  DASHBOARD_DIR: z.string().optional(),
  AI_BASE_URL: url(['http:', 'https:']).optional(),
  AI_API_KEY: z.string().min(1).optional(),
  AI_MODEL: z.string().min(1).optional(),
  AI_TIMEOUT_MS: positiveInt(600_000).default(15_000),
});

/** The raw, validated environment. */
export type Env = z.output<typeof envSchema>;

/** Which adapters the engine runs on. */
export type StorageMode = 'memory' | 'redis' | 'mongo';

/** The server's resolved configuration. */
export interface Config {
  readonly env: Env['NODE_ENV'];
  readonly port: number;
  readonly host: string;
  readonly logLevel: Env['LOG_LEVEL'];
  /** Base URL other services use to reach this server (receipt callbacks, the HTTP vendor). */
  readonly publicUrl: string;
  /** Storage: memory (embedded default), Redis (`REDIS_URL`) or MongoDB (`MONGO_URL`). */
  readonly storage: StorageMode;
  /** Queue and bus on Redis (`REDIS_URL`), else in memory (one process). */
  readonly redis: { readonly url: string; readonly prefix: string } | null;
  readonly mongo: { readonly url: string; readonly db: string } | null;
  readonly jwt: { readonly secret: string; readonly ttl: string; readonly generated: boolean };
  readonly receiptSecret: { readonly value: string; readonly generated: boolean };
  readonly seedDemoData: boolean;
  readonly demoCustomers: number;
  readonly devLogin: boolean;
  readonly google: { readonly clientId: string | null; readonly jwksUrl: string };
  readonly channel:
    | { readonly kind: 'simulator'; readonly successRate: number }
    | {
        readonly kind: 'http-vendor';
        readonly url: string;
        readonly timeoutMs: number;
        readonly successRate: number;
      };
  /** The vendor simulator's delay between accepting a message and calling back (ms, drawn per message). */
  readonly vendorCallbackDelayMs: { readonly min: number; readonly max: number };
  readonly retry: { readonly baseDelayMs?: number; readonly maxDelayMs?: number };
  /** Batches each worker keeps in progress at once (`WORKER_CONCURRENCY`). */
  readonly workerConcurrency: number;
  readonly bodyLimit: number;
  readonly importLimit: number;
  /** Allowed CORS origins; empty: no CORS headers (same origin only). `*` allows any. */
  readonly corsOrigins: readonly string[];
  readonly securityHeaders: boolean;
  /** Behind a reverse proxy: take the client IP (rate limits, logs) from `X-Forwarded-For`. */
  readonly trustProxy: boolean;
  /** Requests per minute per client IP; 0 turns the limit off. */
  readonly rateLimit: { readonly auth: number; readonly receipts: number };
  readonly dashboardDir: string | null;
  readonly ai: {
    readonly baseUrl?: string;
    readonly apiKey?: string;
    readonly model?: string;
    readonly timeoutMs: number;
  };
}

/** Start-up stopped on bad configuration. The message names every bad variable. */
export class ConfigError extends Error {
  /** One entry per bad variable: its name and what is wrong. */
  readonly problems: readonly { readonly variable: string; readonly message: string }[];

  constructor(problems: readonly { readonly variable: string; readonly message: string }[]) {
    super(
      `invalid configuration: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems
        .map((p) => `  - ${p.variable}: ${p.message}`)
        .join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Secret generated once per process when the variable is unset outside production. */
function generated(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Reads the configuration from environment variables (`process.env` by default). Empty strings
 * count as unset. Throws {@link ConfigError} naming each bad variable.
 *
 * @example
 * const config = loadConfig({ PORT: '8080', REDIS_URL: 'redis://127.0.0.1:6379' });
 */
export function loadConfig(source: Readonly<Record<string, string | undefined>> = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value.trim() !== '') raw[key] = value.trim();
  }
  const parsed = envSchema.safeParse(raw);
  const problems: { variable: string; message: string }[] = [];
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const variable = String(issue.path[0] ?? '(env)');
    // One problem per variable: the first one found.
    if (!problems.some((p) => p.variable === variable)) problems.push({ variable, message: issue.message });
  }
  const env = parsed.success ? parsed.data : undefined;
  const production = (raw.NODE_ENV ?? 'development') === 'production';
  if (production && raw.JWT_SECRET === undefined) {
    problems.push({ variable: 'JWT_SECRET', message: 'is required when NODE_ENV=production' });
  }
  if (production && raw.RECEIPT_SECRET === undefined) {
    problems.push({ variable: 'RECEIPT_SECRET', message: 'is required when NODE_ENV=production' });
  }
  if (env !== undefined && env.CHANNEL !== 'http-vendor' && env.VENDOR_URL !== undefined) {
    problems.push({ variable: 'VENDOR_URL', message: 'is only used with CHANNEL=http-vendor' });
  }
  if (env !== undefined && env.AI_BASE_URL === undefined && (env.AI_API_KEY ?? env.AI_MODEL) !== undefined) {
    problems.push({ variable: 'AI_BASE_URL', message: 'is required when AI_API_KEY or AI_MODEL is set' });
  }
  if (env !== undefined && env.AI_BASE_URL !== undefined && env.AI_MODEL === undefined) {
    problems.push({ variable: 'AI_MODEL', message: 'is required when AI_BASE_URL is set' });
  }
  if (problems.length > 0 || env === undefined) throw new ConfigError(problems);

  const storage: StorageMode = env.MONGO_URL ? 'mongo' : env.REDIS_URL ? 'redis' : 'memory';
  const publicUrl = (env.PUBLIC_URL ?? `http://${loopbackHost(env.HOST)}:${env.PORT}`).replace(/\/+$/, '');
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    publicUrl,
    storage,
    redis: env.REDIS_URL ? { url: env.REDIS_URL, prefix: env.REDIS_PREFIX } : null,
    mongo: env.MONGO_URL ? { url: env.MONGO_URL, db: env.MONGO_DB } : null,
    jwt: { secret: env.JWT_SECRET ?? generated(), ttl: env.JWT_TTL, generated: env.JWT_SECRET === undefined },
    receiptSecret: { value: env.RECEIPT_SECRET ?? generated(), generated: env.RECEIPT_SECRET === undefined },
    seedDemoData: env.SEED_DEMO_DATA ?? storage === 'memory',
    demoCustomers: env.DEMO_CUSTOMERS,
    devLogin: env.AUTH_DEV_LOGIN ?? !production,
    google: { clientId: env.GOOGLE_CLIENT_ID ?? null, jwksUrl: env.GOOGLE_JWKS_URL },
    channel:
      env.CHANNEL === 'http-vendor'
        ? {
            kind: 'http-vendor',
            url: env.VENDOR_URL ?? `${publicUrl}/vendor/send`,
            timeoutMs: env.VENDOR_TIMEOUT_MS,
            successRate: env.SIMULATOR_SUCCESS_RATE,
          }
        : { kind: 'simulator', successRate: env.SIMULATOR_SUCCESS_RATE },
    vendorCallbackDelayMs: range(env.VENDOR_CALLBACK_DELAY_MS),
    workerConcurrency: env.WORKER_CONCURRENCY,
    retry: {
      ...(env.RETRY_BASE_MS === undefined ? {} : { baseDelayMs: env.RETRY_BASE_MS }),
      ...(env.RETRY_MAX_MS === undefined ? {} : { maxDelayMs: env.RETRY_MAX_MS }),
    },
    bodyLimit: env.BODY_LIMIT_BYTES,
    importLimit: env.IMPORT_LIMIT_BYTES,
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
    securityHeaders: env.SECURITY_HEADERS,
    trustProxy: env.TRUST_PROXY,
    rateLimit: { auth: env.RATE_LIMIT_AUTH, receipts: env.RATE_LIMIT_RECEIPTS },
    dashboardDir: env.DASHBOARD_DIR ?? null,
    ai: {
      ...(env.AI_BASE_URL === undefined ? {} : { baseUrl: env.AI_BASE_URL }),
      ...(env.AI_API_KEY === undefined ? {} : { apiKey: env.AI_API_KEY }),
      ...(env.AI_MODEL === undefined ? {} : { model: env.AI_MODEL }),
      timeoutMs: env.AI_TIMEOUT_MS,
    },
  };
}

function range(value: string): { min: number; max: number } {
  const [min, max] = value.split('-').map(Number) as [number, number | undefined];
  return { min, max: max ?? min };
}

/** The host to put in a URL for a listen address (`0.0.0.0` and `::` are reached on loopback). */
export function loopbackHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
