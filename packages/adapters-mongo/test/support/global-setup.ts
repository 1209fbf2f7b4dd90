import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { findFerretDb, startFerretDb } from './ferretdb-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the MongoDB tests connect; empty when no server could be found (local runs only). */
    mongoUrl: string;
    /** What serves it: `MONGO_URL`, `testcontainers` (mongo:7) or `ferretdb`. */
    mongoSource: string;
  }
}

function dockerAnswers(): boolean {
  return process.env.DOCKER_HOST !== undefined || existsSync('/var/run/docker.sock');
}

/**
 * Finds a MongoDB-wire server for the adapter tests: `MONGO_URL` when set, else a `mongo:7`
 * container when a Docker engine answers, else FerretDB 1.24.2 (installed by `pnpm test`'s
 * scripts/ensure-services.mjs) on free ports. In CI, finding none is an error; a local run without
 * any says so loudly and the suites skip.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.MONGO_URL) {
    project.provide('mongoUrl', process.env.MONGO_URL);
    project.provide('mongoSource', 'MONGO_URL');
    return undefined;
  }
  if (dockerAnswers()) {
    try {
      const { GenericContainer } = await import('testcontainers');
      const container = await new GenericContainer('mongo:7').withExposedPorts(27017).start();
      project.provide('mongoUrl', `mongodb://${container.getHost()}:${container.getMappedPort(27017)}/`);
      project.provide('mongoSource', 'testcontainers');
      return async () => {
        await container.stop();
      };
    } catch (error) {
      console.warn(
        `[adapters-mongo] Docker did not give a MongoDB container (${String(error)}); trying FerretDB`,
      );
    }
  }
  const binary = findFerretDb();
  if (binary !== undefined) {
    const server = await startFerretDb(binary);
    project.provide('mongoUrl', server.url);
    project.provide('mongoSource', 'ferretdb');
    return () => server.stop();
  }
  const why =
    'no MongoDB for the adapter tests: MONGO_URL is unset, no Docker engine answers, and ferretdb is not installed ' +
    '(pnpm test builds it with Go when Go is present)';
  if (process.env.CI) throw new Error(why);
  console.warn(
    `\n${'!'.repeat(100)}\n[adapters-mongo] SKIPPING the MongoDB suites: ${why}\n${'!'.repeat(100)}\n`,
  );
  project.provide('mongoUrl', '');
  project.provide('mongoSource', 'none');
  return undefined;
}
