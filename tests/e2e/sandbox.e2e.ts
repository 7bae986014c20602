// Browser mode for a user without root: `nslab serve` as nobody (uid 65534) talks to the background sandbox
// helper it starts, the status bar says Sandbox and what sandbox cannot do, the lab catalogue marks the
// labs that need host mode, the Topology panel builds RED ⇄ BLUE and a terminal opened on RED pings BLUE —
// inside the sandbox, so the real host's namespaces, links and rules stay as they were. `nslab helper stop` ends the helper afterwards.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NSLAB, ROOT, kernelState, type CliResult } from '../support/cli.js';
import { browserForThisFile, buildRedBlue, openApp } from './setup.js';

const NOBODY = 65534;
const before = kernelState();
const home = mkdtempSync(join(tmpdir(), 'nslab-e2e-sandbox-'));
chownSync(home, NOBODY, NOBODY);
const env = { PATH: process.env.PATH, HOME: home, XDG_STATE_HOME: home, NSLAB_PTY_GRACE_MS: '0', NSLAB_SANDBOX_IDLE_SECONDS: '600' };
const asNobody = (args: string[]): ChildProcessWithoutNullStreams =>
  spawn('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, NSLAB, ...args], { cwd: ROOT, env });

function nslab(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = asNobody(args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

let serve: ChildProcessWithoutNullStreams | undefined;
let url = '';
let stderr = '';

beforeAll(async () => {
  serve = asNobody(['serve', '--port', '0']);
  serve.stdin.end();
  serve.stderr.on('data', (d: Buffer) => (stderr += d));
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`nslab serve printed no URL: ${stderr}`)), 30_000);
    serve!.once('exit', (code) => reject(new Error(`nslab serve exited with ${code}: ${stderr}`)));
    serve!.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /^nslab: browser mode at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
});

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM');
    await new Promise((r) => serve!.once('exit', r));
  }
  const stopped = await nslab(['helper', 'stop', '--json']);
  rmSync(home, { recursive: true, force: true });
  expect(stopped.code, stopped.stderr).toBe(0);
  expect(JSON.parse(stopped.stdout)).toMatchObject({ mode: 'sandbox', stopped: true, forced: false });
  expect(kernelState()).toBe(before);
});

// After the hooks above: the browser opens once serve is up, and closes before it is stopped.
const web = browserForThisFile();
const { page, byTest, screenText } = web;

describe('nslab serve as a user without root', () => {
  it('serves through the background sandbox helper and says Sandbox in the status bar', async () => {
    expect(stderr).toMatch(/sandbox helper \d+ on .*helper\.sock \(started now/);
    await openApp(web.browser, url);
    expect(await byTest('status-mode').innerText()).toMatch(/sandbox/i);
    const note = await page().locator('.sandbox-note').innerText();
    expect(note).toMatch(/cgroup limits, containers and the real host network need host mode/);
    // doctor answers from inside the sandbox too
    await expect.poll(() => byTest('status-kernel').innerText(), { timeout: 30_000 }).toMatch(/\d+\.\d+/);
    const status = JSON.parse((await nslab(['helper', 'status', '--json'])).stdout) as { running: boolean };
    expect(status.running).toBe(true);
  });

  it('marks the labs that need host mode in the catalogue', async () => {
    await openApp(web.browser, url);
    await byTest('nav-labs').click();
    await byTest('lab-cards').waitFor({ timeout: 20_000 });
    await expect.poll(() => byTest('lab-host-only-cgroup-memory').count()).toBe(1);
    expect(await byTest('lab-host-only-why-cgroup-memory').innerText()).toMatch(/cgroup limits.*read-only in sandbox mode/);
    expect(await byTest('lab-host-only-netns-veth').count()).toBe(0);
    await web.browser.screenshot('sandbox-labs');
  });

  it('builds RED ⇄ BLUE in the Topology panel, inside the sandbox only', async () => {
    await openApp(web.browser, url);
    await byTest('nav-topology').click();
    await buildRedBlue(page());
    await web.browser.screenshot('sandbox-topology');

    // The CLI (another process, the same user) reaches the same sandbox: the ping crosses the new veth.
    const ping = await nslab(['exec', 'red', '--', 'ping', '-c1', '-W2', '10.0.0.2']);
    expect(ping.stdout, ping.stderr).toMatch(/1 received/);
    expect(kernelState()).toBe(before);
  });

  it('opens a terminal on RED from the Topology panel: a live shell inside the sandbox that reaches BLUE', async () => {
    await openApp(web.browser, url);
    await byTest('nav-topology').click();
    await byTest('node-item-red').click();
    await byTest('open-terminal-here').click();
    const tab = page().locator('[role="tab"][aria-selected="true"][data-testid^="terminal-tab-"]');
    await expect.poll(() => tab.innerText(), { timeout: 20_000 }).toBe('red');
    await expect.poll(screenText, { timeout: 20_000 }).toMatch(/[#$]\s*$/m);
    // root in the sandbox's user namespace, nobody outside it; the address and the ping are RED's
    await web.typeLine('id -u; ip -br addr show veth-red; ping -c1 -W2 10.0.0.2 | grep -c ttl=');
    await expect.poll(screenText, { timeout: 20_000 }).toMatch(/veth-red\S*\s+UP\s+10\.0\.0\.1\/24[\s\S]*^1\s*$/m);
    expect(await screenText()).toMatch(/^0\s*$/m);
    expect(kernelState()).toBe(before);
  });
});
