import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to the embedded default: memory adapters, simulator channel, demo data, dev login', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:3000',
      storage: 'memory',
      redis: null,
      mongo: null,
      seedDemoData: true,
      devLogin: true,
      channel: { kind: 'simulator', successRate: 0.9 },
      google: { clientId: null, jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs' },
    });
    expect(config.jwt.generated).toBe(true);
    expect(config.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({}).jwt.secret).not.toBe(config.jwt.secret);
  });

  it('picks the adapters from REDIS_URL and MONGO_URL', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toMatchObject({
      storage: 'redis',
      redis: { url: 'redis://127.0.0.1:6379', prefix: 'minicrm' },
      mongo: null,
      seedDemoData: false,
    });
    expect(loadConfig({ MONGO_URL: 'mongodb://h/', REDIS_URL: 'redis://h:1' })).toMatchObject({
      storage: 'mongo',
      redis: { url: 'redis://h:1' },
      mongo: { url: 'mongodb://h/', db: 'minicrm' },
    });
    expect(loadConfig({ MONGO_URL: 'mongodb://h/' })).toMatchObject({ storage: 'mongo', redis: null });
  });

  it('sends through the HTTP vendor at its own /vendor/send with CHANNEL=http-vendor', () => {
    expect(loadConfig({ CHANNEL: 'http-vendor', PORT: '8080' }).channel).toEqual({
      kind: 'http-vendor',
      url: 'http://127.0.0.1:8080/vendor/send',
      timeoutMs: 5000,
      successRate: 0.9,
    });
  });

  it('reads WORKER_CONCURRENCY (default 1)', () => {
    expect(loadConfig({}).workerConcurrency).toBe(1);
    expect(loadConfig({ WORKER_CONCURRENCY: '3' }).workerConcurrency).toBe(3);
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      REDIS_URL: 'http://not-redis',
      MONGO_URL: 'nope',
      SIMULATOR_SUCCESS_RATE: '1.5',
      SEED_DEMO_DATA: 'maybe',
      JWT_SECRET: 'short',
      CHANNEL: 'carrier-pigeon',
      VENDOR_CALLBACK_DELAY_MS: '50-10',
      LOG_LEVEL: 'loud',
      WORKER_CONCURRENCY: '0',
    });
    expect(problems.map((p) => p.variable).sort()).toEqual(
      [
        'CHANNEL',
        'JWT_SECRET',
        'LOG_LEVEL',
        'MONGO_URL',
        'PORT',
        'REDIS_URL',
        'SEED_DEMO_DATA',
        'SIMULATOR_SUCCESS_RATE',
        'VENDOR_CALLBACK_DELAY_MS',
        'WORKER_CONCURRENCY',
      ].sort(),
    );
    try {
      loadConfig({ PORT: '70000' });
    } catch (error) {
      expect((error as Error).message).toBe('invalid configuration: 1 problem\n  - PORT: must be ≤ 65535');
    }
  });

  it('requires the secrets in production and turns dev login off there', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).map((p) => p.variable)).toEqual([
      'JWT_SECRET',
      'RECEIPT_SECRET',
    ]);
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      RECEIPT_SECRET: 'y'.repeat(16),
    });
    expect(config.devLogin).toBe(false);
    expect(config.jwt).toEqual({ secret: 'x'.repeat(32), ttl: '12h', generated: false });
  });

  it('checks the AI settings belong together, and ignores empty variables', () => {
    expect(problemsOf({ AI_MODEL: 'm' }).map((p) => p.variable)).toEqual(['AI_BASE_URL']);
    expect(problemsOf({ AI_BASE_URL: 'http://127.0.0.1:1/v1' }).map((p) => p.variable)).toEqual(['AI_MODEL']);
    expect(loadConfig({ REDIS_URL: '  ', PORT: '' }).storage).toBe('memory');
  });
});
