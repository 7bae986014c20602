// The Containers and Security panels end to end: `nslab serve` (real helper, real kernel, as root) + Debian's
// Chromium. Runs a container from the panel's form (a bad field refused under that field first), sees it
// listed, inspects it side by side with the host, opens a shell in it through the Terminals panel, runs the
// audit from the Security panel (pass/fail with evidence), then stops and removes it, each confirmed.
// afterAll removes the container and gc's this test's ledger whatever state a test died in, then compares.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelState } from '../support/cli.js';
import { must, servedApp, tryCall } from './setup.js';

const NAME = 'e2e-box';
let before = '';

const app = servedApp({
  name: 'containers',
  before: () => void (before = kernelState()),
  tearDown: async (a) => void (await tryCall(a.rpc, 'container.remove', { name: NAME, force: true })),
  check: (said) => {
    expect(ourCgroups(), said).toEqual([]);
    expect(kernelState(), said).toBe(before);
  },
});
const { page, byTest, screenText } = app;

/** This test's container's group in any hierarchy (others' nslab/ parents may come and go meanwhile). */
const ourCgroups = (): string[] =>
  readdirSync('/sys/fs/cgroup').map((h) => join('/sys/fs/cgroup', h, 'nslab', `c-${NAME}`)).filter((d) => existsSync(d));
const containers = async () => (await must<{ containers: { name: string; state: string; pid: number | null }[] }>(app.rpc, 'container.list')).containers;

describe('the Containers panel in the browser', () => {
  it('runs a container from the form: a bad field is refused under it, then it is listed as running', async () => {
    await app.open();
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
    await app.open();
    await byTest('nav-containers').click();
    await byTest(`container-select-${NAME}`).click();
    await byTest('isolation-view').waitFor({ timeout: 20_000 });
    const pid = (await containers()).find((c) => c.name === NAME)!.pid!;
    const view = await must<{ namespaces: { type: string; inode: number; host: number }[] }>(app.rpc, 'process.inspect', { pid });
    const pidNs = view.namespaces.find((n) => n.type === 'pid')!;
    const row = await byTest('iso-ns-pid').innerText();
    expect(row).toContain(String(pidNs.inode)); // this container's column
    expect(row).toContain(String(pidNs.host)); // the host's column
    expect(row).toMatch(/private/);
    expect(pidNs.inode).not.toBe(pidNs.host);
    expect(await byTest('iso-root').innerText()).toMatch(/0\s+0$/); // no --userns: its root is the host's, shown
  });

  it('opens a shell in it through the Terminals panel', async () => {
    await app.open();
    await byTest('nav-containers').click();
    await byTest(`container-shell-${NAME}`).click();
    const tab = page().locator('[role="tab"][aria-selected="true"][data-testid^="terminal-tab-"]');
    await expect.poll(() => tab.innerText(), { timeout: 20_000 }).toMatch(new RegExp(NAME));
    const id = (await tab.getAttribute('data-testid'))!.replace('terminal-tab-', '');
    await expect.poll(screenText, { timeout: 20_000 }).toMatch(/#\s*$/m);
    await app.typeLine('echo "in:$(hostname):$(cat /proc/1/comm)"');
    await expect.poll(screenText, { timeout: 20_000 }).toMatch(/in:e2ehost:flock/);
    await tryCall(app.rpc, 'pty.kill', { id, signal: 'SIGKILL' });
  });
});

describe('the Security panel in the browser', () => {
  it('runs the audit and shows pass and fail with their evidence', async () => {
    await app.open();
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
    await app.open();
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
    expect(existsSync(join(app.stateDir, 'containers')) ? readdirSync(join(app.stateDir, 'containers')) : []).toEqual([]);
    expect(ourCgroups()).toEqual([]);
  });
});
