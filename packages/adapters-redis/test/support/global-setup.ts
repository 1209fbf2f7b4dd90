import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { hasRedisServer, startRedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the Redis tests connect; empty when no Redis could be found (local runs only). */
    redisUrl: string;
    /** How it was found: `REDIS_URL`, `testcontainers` or `redis-server`. */
    redisSource: string;
  }
}

function dockerAnswers(): boolean {
  return process.env.DOCKER_HOST !== undefined || existsSync('/var/run/docker.sock');
}

/**
 * Finds Redis for the adapter tests: `REDIS_URL` when set, else a `redis:7` container when a Docker
 * engine answers, else `redis-server` from PATH on a free port. In CI, finding none is an error; a
 * local run without any says so loudly and the suites skip.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
    project.provide('redisSource', 'REDIS_URL');
    return undefined;
  }
  if (dockerAnswers()) {
    try {
      const { GenericContainer } = await import('testcontainers');
      const container = await new GenericContainer('redis:7').withExposedPorts(6379).start();
      project.provide('redisUrl', `redis://${container.getHost()}:${container.getMappedPort(6379)}`);
      project.provide('redisSource', 'testcontainers');
      return async () => {
        await container.stop();
      };
    } catch (error) {
      console.warn(
        `[adapters-redis] Docker did not give a Redis container (${String(error)}); trying redis-server`,
      );
    }
  }
  if (hasRedisServer()) {
    const server = await startRedisServer();
    project.provide('redisUrl', server.url);
    project.provide('redisSource', 'redis-server');
    return () => server.stop();
  }
  const why =
    'no Redis for the adapter tests: REDIS_URL is unset, no Docker engine answers, and redis-server is not on PATH ' +
    '(apt-get install redis-server)';
  if (process.env.CI) throw new Error(why);
  console.warn(
    `\n${'!'.repeat(100)}\n[adapters-redis] SKIPPING the Redis suites: ${why}\n${'!'.repeat(100)}\n`,
  );
  project.provide('redisUrl', '');
  project.provide('redisSource', 'none');
  return undefined;
}
