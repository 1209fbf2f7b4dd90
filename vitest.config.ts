import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@minicrm\/core\/testing$/, replacement: src('./packages/core/src/testing/index.ts') },
      { find: /^@minicrm\/core$/, replacement: src('./packages/core/src/index.ts') },
    ],
  },
  test: {
    // In CI a JSON report is written too, so .ci/run can print one "N passed, N failed" line.
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]]
      : ['default'],
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
