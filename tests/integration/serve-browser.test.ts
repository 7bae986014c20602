// Browser mode in a real Chromium (Debian's, headless): the page's assets load via the cookie, the CSP lets
// the page reach /rpc, a token-less tab gets nothing, and a foreign page cannot use the relay.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../support/serve.js';

const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'nslab-page-'));
let serve: ServeHandle;
let browser: Browser;

beforeAll(async () => {
  // A stand-in renderer: a module script and a stylesheet under /assets, like vite's output.
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>probe</title><link rel="stylesheet" href="/assets/app.css"><script type="module" src="/assets/app.js"></script><pre id="out">loading</pre>');
  writeFileSync(join(dir, 'assets', 'app.css'), 'body { color: rgb(1, 2, 3); }');
  writeFileSync(
    join(dir, 'assets', 'app.js'),
    `const token = new URLSearchParams(location.search).get('token');
     const ws = new WebSocket('ws://' + location.host + '/rpc?token=' + token);
     ws.onopen = () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'helper.hello', params: {} }));
     ws.onmessage = (e) => { document.getElementById('out').textContent = e.data; };
     ws.onerror = () => { document.getElementById('out').textContent = 'ws error'; };`,
  );
  serve = await startServe({ env: { NSLAB_RENDERER_DIR: dir } });
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(CHROMIUM))('browser mode in Chromium', () => {
  it('loads the page and its assets with the token, and talks to the helper over /rpc', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(serve.url);
    await page.waitForFunction(() => document.getElementById('out')?.textContent !== 'loading');
    expect(JSON.parse((await page.textContent('#out')) ?? '{}')).toMatchObject({ id: 1, result: { mode: 'host' } });
    expect(await page.evaluate(() => getComputedStyle(document.body).color)).toBe('rgb(1, 2, 3)');
    expect(await page.evaluate(() => document.cookie)).toBe(''); // HttpOnly: scripts never see it
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows nothing to a tab without the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const res = await page.goto(serve.origin + '/');
    expect(res?.status()).toBe(401);
    expect(await page.textContent('body')).not.toContain('probe');
    await context.close();
  });

  it('refuses the relay to a page from another origin, even one that knows the token', async () => {
    const page = await browser.newPage();
    await page.goto('data:text/html,<title>evil</title>');
    const outcome = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        }),
      serve.wsUrl,
    );
    expect(outcome).toBe('refused');
    await page.close();
  });
});
