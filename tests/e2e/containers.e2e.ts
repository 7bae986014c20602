// The Containers and Security panels end to end: `nslab serve` (real helper, real kernel, as root) + Debian's
// Chromium. Runs a container from the panel's form (a bad field refused under that field first), sees it
// listed, inspects it side by side with the host, opens a shell in it through the Terminals panel, runs the
// audit from the Security panel (pass/fail with evidence), then stops and removes it, each confirmed.
// afterAll removes the container and gc's this test's ledger whatever state a test died in, then compares.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NSLAB, ROOT, kernelState } from '../support/cli.js';
import { connectRpc, startServe, type RpcSocket, type ServeHandle } from '../support/serve.js';
import { openBrowser, type Browser } from './browser.js';
import { must, openApp, tryCall } from './setup.js';

const run = promisify(execFile);
const NAME = 'e2e-box';
const stateDir = mkdtempSync(join(tmpdir(), 'nslab-e2e-containers-'));
const env = { ...process.env, NSLAB_STATE_DIR: stateDir };
const nslab = (args: string[]) => run(process.execPath, [NSLAB, ...args], { cwd: ROOT, env, timeout: 60_000 });

let before = '';
let serve: ServeHandle | undefined;
let browser: Browser | undefined;
let rpc: RpcSocket | undefined;

beforeAll(async () => {
  before = kernelState();
  serve = await startServe({ stateDir });
  rpc = await connectRpc(serve.wsUrl);
  browser = await openBrowser();
});

afterEach(() => {
  expect(browser!.problems.splice(0)).toEqual([]);
});

afterAll(async () => {
  await tryCall(rpc, 'container.remove', { name: NAME, force: true });
  rpc?.close();
  await browser?.close();
  await serve?.stop();
  await nslab(['gc']).catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
  expect(ourCgroups()).toEqual([]);
  expect(kernelState()).toBe(before);
});

const page = () => browser!.page;
const byTest = (id: string) => page().locator(`[data-testid="${id}"]`);
const screenText = () => page().locator('.terminal-host .xterm-rows').innerText();
/** This test's container's group in any hierarchy (others' nslab/ parents may come and go meanwhile). */
const ourCgroups = (): string[] =>
  readdirSync('/sys/fs/cgroup').map((h) => join('/sys/fs/cgroup', h, 'nslab', `c-${NAME}`)).filter((d) => existsSync(d));
const containers = async () => (await must<{ containers: { name: string; state: string; pid: number | null }[] }>(rpc!, 'container.list')).containers;

describe('the Containers panel in the browser', () => {
  it('runs a container from the form: a bad field is refused under it, then it is listed as running', async () => {
    await openApp(browser!, serve!.url);
    await byTest('nav-containers').click();
    await byTest('container-run-form').waitFor({ timeout: 20_000 });
    await byTest('run-name').fill(NAME);
    await byTest('run-command').fill('sleep 300');
    await byTest('run-memory').fill('3m');
    await byTest('run-capAdd').fill('NOT_A_CAP');
    await byTest('run-submit').click();
    await expect.poll(() => byTest('run-memory-error').innerText()).toMatch(/minimum memory limit is 6m/);
    expect(await byTest('run-capAdd-error').innerText()).toMatch(/"NOT_A_CAP" is not a Linux capability/);
    expect(await containers()).toEqual([]); // nothing was sent
    await byTest('run-memory').fill('32m');
    await byTest('run-capAdd').fill('');
    await byTest('run-hostname').fill('e2ehost');
    await byTest('run-submit').click();
    await byTest(`container-${NAME}`).waitFor({ timeout: 30_000 });
    expect(await byTest(`container-${NAME}`).innerText()).toMatch(/running/);
    expect((await containers()).find((c) => c.name === NAME)?.state).toBe('running');
  });

  it('inspects it side by side with the host', async () => {
    await openApp(browser!, serve!.url);
    await byTest('nav-containers').click();
    await byTest(`container-select-${NAME}`).click();
    await byTest('isolation-view').waitFor({ timeout: 20_000 });
    const pid = (await containers()).find((c) => c.name === NAME)!.pid!;
    const view = await must<{ namespaces: { type: string; inode: number; host: number }[] }>(rpc!, 'process.inspect', { pid });
    const pidNs = view.namespaces.find((n) => n.type === 'pid')!;
    const row = await byTest('iso-ns-pid').innerText();
    expect(row).toContain(String(pidNs.inode)); // this container's column
    expect(row).toContain(String(pidNs.host)); // the host's column
    expect(row).toMatch(/private/);
    expect(pidNs.inode).not.toBe(pidNs.host);
    expect(await byTest('iso-root').innerText()).toMatch(/0\s+0$/); // no --userns: its root is the host's, shown
  });

  it('opens a shell in it through the Terminals panel', async () => {
    await openApp(browser!, serve!.url);
    await byTest('nav-containers').click();
    await byTest(`container-shell-${NAME}`).click();
    const tab = page().locator('[role="tab"][aria-selected="true"][data-testid^="terminal-tab-"]');
    await expect.poll(() => tab.innerText(), { timeout: 20_000 }).toMatch(new RegExp(NAME));
    const id = (await tab.getAttribute('data-testid'))!.replace('terminal-tab-', '');
    await expect.poll(screenText, { timeout: 20_000 }).toMatch(/#\s*$/m);
    await page().locator('.terminal-host .xterm').click();
    await page().keyboard.type('echo "in:$(hostname):$(cat /proc/1/comm)"');
    await page().keyboard.press('Enter');
    await expect.poll(screenText, { timeout: 20_000 }).toMatch(/in:e2ehost:flock/);
    await tryCall(rpc, 'pty.kill', { id, signal: 'SIGKILL' });
  });
});

describe('the Security panel in the browser', () => {
  it('runs the audit and shows pass and fail with their evidence', async () => {
    await openApp(browser!, serve!.url);
    await byTest('nav-security').click();
    await byTest('audit-run').click();
    await expect.poll(() => byTest('audit-summary').innerText(), { timeout: 60_000 }).toMatch(/\d+ of 20 items automated/);
    const automated = Number(/(\d+) of 20 items automated/.exec(await byTest('audit-summary').innerText())![1]);
    expect(automated).toBeGreaterThanOrEqual(12);
    const ns = await byTest('audit-item-1-4').innerText();
    expect(ns).toMatch(new RegExp(`Pass\\s+container:${NAME}`)); // its mount, pid, net… namespaces are private
    const seccomp = await byTest('audit-item-1-8').innerText();
    expect(seccomp).toMatch(new RegExp(`Fail\\s+container:${NAME}`));
    expect(seccomp).toMatch(/Seccomp: disabled/); // the evidence
    expect(seccomp).toMatch(/Fix:/);
  });
});

describe('stop and remove, each confirmed', () => {
  it('asks before stopping and before removing; cancel changes nothing; then it is gone from the kernel', async () => {
    await openApp(browser!, serve!.url);
    await byTest('nav-containers').click();
    await byTest(`container-stop-${NAME}`).click();
    await byTest('container-stop-confirm-cancel').click();
    expect((await containers()).find((c) => c.name === NAME)?.state).toBe('running');
    await byTest(`container-stop-${NAME}`).click();
    await byTest('container-stop-confirm-confirm').click();
    await expect.poll(async () => (await containers()).find((c) => c.name === NAME)?.state, { timeout: 20_000 }).toBe('exited');
    await byTest(`container-remove-${NAME}`).click();
    await byTest('container-remove-confirm-confirm').click();
    await expect.poll(() => byTest(`container-${NAME}`).count(), { timeout: 20_000 }).toBe(0);
    expect(await containers()).toEqual([]);
    expect(existsSync(join(stateDir, 'containers')) ? readdirSync(join(stateDir, 'containers')) : []).toEqual([]);
    expect(ourCgroups()).toEqual([]);
  });
});
