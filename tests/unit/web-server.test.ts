// `nslab serve`'s HTTP side in-process: token, cookie, Origin/Host checks, static files, the not-built page.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackHost, startWebServer, type WebServer } from '../../electron/web/server.js';
import { cookieToken } from '../../electron/web/auth.js';
import { fakeHelper } from '../support/fake-helper.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw http.request, so Host/Origin/Cookie are exactly what the test says (fetch forbids some). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const root = mkdtempSync(join(tmpdir(), 'nslab-web-'));
const dist = join(root, 'renderer');
let server: WebServer;
let empty: WebServer;

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>nslab</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(dist, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(root, 'secret.txt'), 'not for the browser');
  const helper = fakeHelper();
  server = await startWebServer({ rendererDir: dist, connect: helper.connect, port: 0 });
  empty = await startWebServer({ rendererDir: join(root, 'missing'), connect: helper.connect, port: 0 });
});
afterAll(async () => {
  await server.close();
  await empty.close();
  rmSync(root, { recursive: true, force: true });
});

describe('nslab serve over HTTP', () => {
  it('binds 127.0.0.1 and prints a URL with a long random token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[\w-]{32}$/);
    expect(empty.token).not.toBe(server.token);
  });

  it('refuses every request without the token (401), page and assets alike', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/rpc', '/?token=', '/?token=wrong']) {
      const r = await get(server.port, path);
      expect(r.status, path).toBe(401);
      expect(r.body).not.toContain('nslab</title>');
    }
  });

  it('serves the page with the token and leaves an HttpOnly SameSite=Strict cookie for the assets', async () => {
    const page = await get(server.port, `/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>nslab</title>');
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toContain(`nslab_token=${server.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const asset = await get(server.port, '/assets/app.js', { cookie: `other=1; nslab_token=${server.token}` });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.body).toBe('console.log("app")');
    expect((await get(server.port, '/assets/app.js', { cookie: 'nslab_token=forged' })).status).toBe(401);
  });

  it('lets the browser keep hashed build assets, never the page, and serves a rebuilt file afresh', async () => {
    const c = { cookie: `nslab_token=${server.token}` };
    writeFileSync(join(dist, 'assets', 'chunk-Bre5ruk8.js'), 'export const v = 1;');
    const hashed = await get(server.port, '/assets/chunk-Bre5ruk8.js', c);
    expect(hashed.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect((await get(server.port, '/assets/app.js', c)).headers['cache-control']).toBe('no-store'); // no hash in its name
    expect((await get(server.port, `/?token=${server.token}`)).headers['cache-control']).toBe('no-store');
    // the server keeps what it read in memory, but a file changed on disk (npm run build meanwhile) is read again
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log("rebuilt!")');
    utimesSync(join(dist, 'assets', 'app.js'), new Date(), new Date(Date.now() + 5000));
    expect((await get(server.port, '/assets/app.js', c)).body).toBe('console.log("rebuilt!")');
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log("app")');
    expect((await get(server.port, '/assets/app.js', c)).body).toBe('console.log("app")'); // a different size
  });

  it('refuses a foreign Origin or Host even with the token (403)', async () => {
    const t = `/?token=${server.token}`;
    expect((await get(server.port, t, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(server.port, t, { origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await get(server.port, t, { origin: 'null' })).status).toBe(403);
    expect((await get(server.port, t, { host: 'evil.example' })).status).toBe(403);
    expect((await get(server.port, t, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get(server.port, t, { origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
  });

  it('never serves a file outside the renderer directory', async () => {
    const c = { cookie: `nslab_token=${server.token}` };
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00']) {
      const r = await get(server.port, path, c);
      expect(r.body, path).not.toContain('not for the browser');
    }
    expect((await get(server.port, '/nope.js', c)).status).toBe(404);
    // no favicon shipped: an empty answer, not a 404 that would be a console error in every tab
    expect((await get(server.port, '/favicon.ico', c)).status).toBe(204);
    expect((await get(server.port, '/favicon.ico')).status).toBe(401);
    // client-side routes fall back to the page
    expect((await get(server.port, '/topology', c)).body).toContain('<title>nslab</title>');
  });

  it('answers only GET and HEAD', async () => {
    expect((await get(server.port, `/?token=${server.token}`, {}, 'POST')).status).toBe(405);
    const head = await get(server.port, `/?token=${server.token}`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('explains how to build the renderer when it is missing', async () => {
    const r = await get(empty.port, `/?token=${empty.token}`);
    expect(r.status).toBe(503);
    expect(r.body).toContain('npm run build');
  });
});

describe('helpers', () => {
  it('accepts only loopback hosts', () => {
    expect(loopbackHost('127.0.0.1')).toBe('127.0.0.1');
    expect(loopbackHost('localhost')).toBe('127.0.0.1');
    for (const bad of ['0.0.0.0', '192.168.1.2', '::', '127.0.0.256', 'example.com']) expect(() => loopbackHost(bad), bad).toThrow(/loopback/);
  });
  it('reads the token cookie among others', () => {
    expect(cookieToken('a=1; nslab_token=abc; b=2')).toBe('abc');
    expect(cookieToken(undefined)).toBeUndefined();
    expect(cookieToken('xnslab_token=abc')).toBeUndefined();
  });
});
