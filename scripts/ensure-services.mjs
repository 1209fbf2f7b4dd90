#!/usr/bin/env node
/**
 * Makes sure the binaries the adapter test suites start are installed: `redis-server` (Debian
 * package `redis-server`). On a Debian machine where we are root it installs what is missing with
 * apt-get; elsewhere it says loudly what is missing (the suites then fail in CI, or skip locally
 * saying why). Run by `pnpm test` before vitest.
 */
import { spawnSync } from 'node:child_process';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const missing = [{ bin: 'redis-server', apt: 'redis-server' }].filter((s) => !has(s.bin));

if (missing.length > 0) {
  const packages = missing.map((s) => s.apt);
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && has('apt-get')) {
    console.log(`Installing test services: ${packages.join(', ')} (apt-get)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const install = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env });
    if (update.status !== 0 || install.status !== 0) {
      console.error(`Could not install ${packages.join(', ')}.`);
      process.exit(1);
    }
  } else {
    console.warn(
      `\n!!! Missing test services: ${missing.map((s) => s.bin).join(', ')}. Install them ` +
        `(Debian: apt-get install ${packages.join(' ')}) or set REDIS_URL; the Redis suites cannot run without.\n`,
    );
  }
}
