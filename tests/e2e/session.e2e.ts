// A session that lasts, end to end: `nslab serve` (real helper, real kernel, as root) + Debian's Chromium.
// (1) Reloading the page, and closing the tab then opening the URL again, keep the activity list and the
// terminals — the shell re-attached with its scrollback visible. (2) An open page survives a restart of
// `nslab serve`: it shows the disconnected banner and disables its buttons while serve is down, then
// reconnects by itself (same port and token) and works. Host shells and one marked namespace
// (nslab-e2e-sess, made and removed here); nothing else on the kernel.
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { connectRpc, startServe } from '../support/serve.js';
import { OUTPUT } from './browser.js';
import { must, netnsPresent, servedApp, tryCall } from './setup.js';

const NODE = 'e2e-sess';
/** Console errors a test expects (a WebSocket that cannot connect while serve is down). */
let expected: RegExp | null = null;
beforeEach(() => void (expected = null));

const app = servedApp({
  name: 'session',
  serve: { port: 'kept' },
  before: () => expect(netnsPresent([`nslab-${NODE}`])).toEqual([]),
  expectedProblem: () => expected,
  tearDown: async (a) => {
    if (a.rpc.ws.readyState !== 1) return 'the relay line was down (serve did not come back): gc removes the namespace'; // 1: OPEN
    for (const s of ((await a.rpc.call('pty.list', {})).result as { sessions: { id: string; exited: unknown }[] } | undefined)?.sessions ?? []) {
      if (s.exited) continue;
      await tryCall(a.rpc, 'pty.attach', { id: s.id });
      await tryCall(a.rpc, 'pty.kill', { id: s.id, signal: 'SIGKILL' });
    }
    await tryCall(a.rpc, 'net.netns.delete', { node: NODE });
  },
  check: (said) => expect(netnsPresent([`nslab-${NODE}`]), said).toEqual([]),
});
const { page, byTest, screenText } = app;

/** Of the current page (Browser.screenshot keeps to the first one, which a test here closes). */
const screenshot = (name: string) => page().screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: true });

/** A page of its own in the same browser profile (a new tab: its sessionStorage is empty, localStorage shared). */
async function newTab(url: string): Promise<void> {
  const browser = app.browser;
  const p = await browser.context.newPage();
  p.on('console', (m) => m.type() === 'error' && browser.problems.push(`console: ${m.text()}`));
  p.on('pageerror', (e) => browser.problems.push(`pageerror: ${e.message}`));
  browser.page = p;
  await p.goto(url);
}

async function sessions(): Promise<{ id: string; clients: number; exited: unknown }[]> {
  return ((await app.rpc.call('pty.list', {})).result as { sessions: { id: string; clients: number; exited: unknown }[] }).sessions;
}

/** Opens a host shell from the Terminals panel and waits for its prompt; returns its id. */
async function openHostShell(): Promise<string> {
  await byTest('nav-terminals').click();
  await byTest('open-host').click();
  const tab = page().locator('[role="tab"][aria-selected="true"][data-testid^="terminal-tab-"]');
  await expect.poll(() => tab.count(), { timeout: 20_000 }).toBe(1);
  const id = (await tab.getAttribute('data-testid'))!.replace('terminal-tab-', '');
  await expect.poll(screenText, { timeout: 20_000 }).toMatch(/[#$]\s*$/m);
  return id;
}

async function typeLine(text: string): Promise<void> {
  // Focus xterm's input itself: a click can land elsewhere while the layout moves (the banner going away).
  // The shell echoes what reaches it; if the echo never comes (focus lost to a re-render under load), the
  // line is typed again — what is asserted is the command's output, which only a working shell produces.
  for (let attempt = 0; attempt < 3; attempt++) {
    await page().locator('.terminal-host textarea.xterm-helper-textarea').focus();
    await page().keyboard.type(text);
    const echoed = await expect.poll(screenText, { timeout: 5_000 }).toContain(text).then(() => true, () => false);
    if (echoed) break;
    await page().keyboard.press('Control+U'); // drop whatever part of the line did arrive
  }
  await page().keyboard.press('Enter');
}

describe('a session that lasts', () => {
  it('reload, and closing the tab then opening the URL again, keep the activity list and the terminals with their scrollback', async () => {
    await app.open();
    await must(app.rpc, 'net.netns.create', { node: NODE });
    const id = await openHostShell();
    await typeLine('echo "kept-$((6*7))"');
    await expect.poll(screenText, { timeout: 20_000 }).toMatch(/^kept-42$/m);

    // Reload: the same tab, its shell and scrollback; the activity list from the helper.
    await page().reload();
    await expect.poll(() => byTest(`terminal-tab-${id}`).count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(screenText, { timeout: 20_000 }).toMatch(/^kept-42$/m);
    await byTest('nav-activity').click();
    await expect.poll(() => page().locator('[data-testid="activity-cmd"]').allInnerTexts(), { timeout: 20_000 }).toContainEqual(expect.stringContaining(`ip netns add nslab-${NODE}`));

    // Close the tab; the shell keeps running with nobody attached (the grace: 10 minutes by default).
    await page().close();
    await expect.poll(async () => (await sessions()).find((s) => s.id === id), { timeout: 20_000 }).toMatchObject({ clients: 0, exited: null });

    // Open the URL again in a new tab: the shell comes back with its scrollback, and so does the activity.
    await newTab(app.serve.url);
    await expect.poll(() => page().locator('[data-testid="activity-cmd"]').allInnerTexts(), { timeout: 20_000 }).toContainEqual(expect.stringContaining(`ip netns add nslab-${NODE}`));
    await byTest('nav-terminals').click();
    await expect.poll(() => byTest(`terminal-tab-${id}`).count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(screenText, { timeout: 20_000 }).toMatch(/^kept-42$/m);
    // The Running shells list shows it as this tab's, and typing reaches the same shell.
    await expect.poll(() => byTest(`terminal-shell-clients-${id}`).innerText(), { timeout: 20_000 }).toBe('this tab');
    await typeLine('echo "after-reopen-$((40+2))"');
    await expect.poll(screenText, { timeout: 20_000 }).toMatch(/^after-reopen-42$/m);
    expect((await sessions()).find((s) => s.id === id)).toMatchObject({ clients: 1, exited: null });
    await screenshot('session-reopened');
    await must(app.rpc, 'net.netns.delete', { node: NODE });
  });

  it('an open page survives a restart of nslab serve: banner, buttons disabled, then reconnected and working', async () => {
    await app.open();
    await byTest('nav-terminals').click();
    await expect.poll(() => byTest('open-host').isEnabled(), { timeout: 20_000 }).toBe(true);
    app.rpc.close();
    // While serve is down the page's reconnect attempts fail, and Chromium logs each as a console error.
    expected = /WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/rpc\?token=[\w-]+' failed|Failed to load resource: net::ERR_CONNECTION_(REFUSED|RESET)/;
    const { port, token } = app.serve;
    await app.serve.stop();

    const banner = byTest('connection-banner');
    await expect.poll(() => banner.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await banner.innerText()).toContain('nslab serve stopped or cannot be reached');
    await expect.poll(() => byTest('connection-countdown').innerText(), { timeout: 20_000 }).toMatch(/Reconnecting/);
    expect(await byTest('open-host').isDisabled()).toBe(true);
    expect(await byTest('status-helper').innerText()).toMatch(/disconnected/);
    await screenshot('session-disconnected');

    app.serve = await startServe({ stateDir: app.stateDir, port: 'kept' });
    expect(app.serve.port).toBe(port);
    expect(app.serve.token).toBe(token);
    app.rpc = await connectRpc(app.serve.wsUrl);
    await byTest('connection-retry').click().catch(() => undefined); // it may have reconnected already
    await expect.poll(() => banner.count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => byTest('status-helper').innerText(), { timeout: 20_000 }).toMatch(/ready/);
    expect(await byTest('open-host').isEnabled()).toBe(true);
    // and it works: a new shell on the restarted helper
    await openHostShell();
    await typeLine('echo "reconnected-$((6*7))"');
    await expect.poll(screenText, { timeout: 20_000 }).toMatch(/^reconnected-42$/m);
  });
});
