#!/usr/bin/env node
/**
 * Makes sure the servers the adapter test suites start are installed:
 * - `redis-server` (Debian package `redis-server`): installed with apt-get when we are root;
 * - `ferretdb` 1.24.2 (MongoDB wire protocol, Apache-2.0): built with Go from the module proxy into
 *   `$(go env GOPATH)/bin` when missing (a plain `go install …@v1.24.2` cannot be used: it asks the
 *   proxy for the version list, and the module's embedded version file is empty, so we build the
 *   downloaded module with that file written).
 * Elsewhere it says loudly what is missing (the suites then fail in CI, or skip locally saying why).
 * Run by `pnpm test` before vitest; prints where each server is.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FERRETDB_VERSION = 'v1.24.2';
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...opts });
const has = (cmd) => run('sh', ['-c', `command -v ${cmd}`]).status === 0;
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const problems = [];
// Go may be installed without being on PATH (Debian images put it in /usr/local/go).
const GO = has('go') ? 'go' : existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined;

if (!has('redis-server') && !process.env.REDIS_URL) {
  if (root && has('apt-get')) {
    console.log('Installing redis-server (apt-get) for the Redis adapter tests');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    if (run('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env }).status !== 0) {
      problems.push('redis-server could not be installed (apt-get install redis-server)');
    }
  } else {
    problems.push('redis-server is missing (Debian: apt-get install redis-server), and REDIS_URL is unset');
  }
}

function ferretdbPath() {
  if (has('ferretdb')) return run('sh', ['-c', 'command -v ferretdb']).stdout.trim();
  if (GO === undefined) return undefined;
  const gopath = run(GO, ['env', 'GOPATH']).stdout.trim();
  const bin = join(gopath, 'bin', 'ferretdb');
  return existsSync(bin) ? bin : undefined;
}

if (!process.env.MONGO_URL && ferretdbPath() === undefined) {
  if (GO !== undefined) {
    console.log(
      `Building FerretDB ${FERRETDB_VERSION} with Go for the MongoDB adapter tests (about a minute)`,
    );
    const download = run(GO, [
      'mod',
      'download',
      '-json',
      `github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`,
    ]);
    const dir = download.status === 0 ? JSON.parse(download.stdout).Dir : undefined;
    if (dir === undefined) {
      problems.push(`go mod download of FerretDB failed: ${download.stderr}`);
    } else {
      const work = mkdtempSync(join(tmpdir(), 'ferretdb-src-'));
      cpSync(dir, work, { recursive: true });
      run('chmod', ['-R', 'u+w', work]);
      writeFileSync(join(work, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
      const gopath = run(GO, ['env', 'GOPATH']).stdout.trim();
      const out = join(gopath, 'bin', 'ferretdb');
      const build = run(GO, ['build', '-o', out, './cmd/ferretdb'], { cwd: work, stdio: 'inherit' });
      rmSync(work, { recursive: true, force: true });
      if (build.status !== 0) problems.push('go build of FerretDB failed');
      else chmodSync(out, 0o755);
    }
  } else {
    problems.push('ferretdb is missing and Go is not installed to build it, and MONGO_URL is unset');
  }
}

if (problems.length > 0) {
  console.warn(`\n!!! Test services missing:\n${problems.map((p) => `!!!  - ${p}`).join('\n')}\n`);
}
