import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { build } from './helper.js';

describe('browser-facing settings', () => {
  it('sends security headers by default, and none with SECURITY_HEADERS=false', async () => {
    const on = await build();
    const headers = (await fetch(`${on.url}/health`)).headers;
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('content-security-policy')).toContain("default-src 'self'");
    const off = await build({ SECURITY_HEADERS: 'false' });
    expect((await fetch(`${off.url}/health`)).headers.get('x-content-type-options')).toBeNull();
  });

  it('answers CORS only for the configured origins', async () => {
    const closed = await build();
    const none = await fetch(`${closed.url}/api/fields`, {
      method: 'OPTIONS',
      headers: { origin: 'https://dash.example.com', 'access-control-request-method': 'GET' },
    });
    expect(none.headers.get('access-control-allow-origin')).toBeNull();

    const open = await build({ CORS_ORIGINS: 'https://dash.example.com, https://admin.example.com' });
    const preflight = await fetch(`${open.url}/api/fields`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://admin.example.com',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await fetch(`${open.url}/health`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves a dashboard build at / when there is one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'minicrm-dashboard-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><title>MiniCRM</title><script src="app.js"></script>',
    );
    writeFileSync(join(dir, 'app.js'), 'console.log("dashboard")');
    const server = await build({ DASHBOARD_DIR: dir });
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toContain('<title>MiniCRM</title>');
    expect(await (await fetch(`${server.url}/app.js`)).text()).toBe('console.log("dashboard")');
    // The API is unaffected.
    expect((await server.request('GET', '/api/fields')).status).toBe(200);

    const without = await build({ DASHBOARD_DIR: join(dir, 'missing') });
    const root = await fetch(`${without.url}/`);
    expect(root.status).toBe(404);
    expect(((await root.json()) as { code: string }).code).toBe('ROUTE_NOT_FOUND');
  });
});
