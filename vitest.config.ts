import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@minicrm\/core\/testing$/, replacement: src('./packages/core/src/testing/index.ts') },
      { find: /^@minicrm\/core$/, replacement: src('./packages/core/src/index.ts') },
      { find: /^@minicrm\/adapters-redis$/, replacement: src('./packages/adapters-redis/src/index.ts') },
      { find: /^@minicrm\/adapters-mongo$/, replacement: src('./packages/adapters-mongo/src/index.ts') },
    ],
  },
  test: {
    // In CI a JSON report is written too, so .ci/run can print one "N passed, N failed" line.
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]]
      : ['default'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'core', include: ['packages/core/test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'adapters-redis',
          include: ['packages/adapters-redis/test/**/*.test.ts'],
          // One redis-server (or REDIS_URL, or a container) for the whole project; tests that kill or
          // restart Redis start their own.
          globalSetup: ['packages/adapters-redis/test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'adapters-mongo',
          include: ['packages/adapters-mongo/test/**/*.test.ts'],
          globalSetup: ['packages/adapters-mongo/test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'examples',
          include: ['examples/*/test/**/*.test.ts'],
          // The server's campaign tests also run on Redis and on MongoDB + Redis.
          globalSetup: [
            'packages/adapters-redis/test/support/global-setup.ts',
            'packages/adapters-mongo/test/support/global-setup.ts',
          ],
        },
      },
    ],
  },
});
