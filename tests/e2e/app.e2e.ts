// The app end to end: `nslab serve` (real helper, real kernel, as root) + Debian's Chromium. Builds RED⇄BLUE
// by clicking in the Topology panel, checks the graph, the Activity log and a real ping, switches to Korean,
// and checks that the token is required. Each test opens the app afresh and removes what it made (afterAll
// gc's the ledger as well, whatever state a test died in).
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectRpc } from '../support/serve.js';
import { buildRedBlue, netnsPresent, servedApp, submit as submitOn, tryCall } from './setup.js';

const GROUP = 'e2e-mem';
/** The namespace the Activity test makes and deletes. */
const LOG_NODE = 'e2e-log';

/** Every directory nslab/<GROUP> could have, in any hierarchy. */
function groupDirs(): string[] {
  const base = '/sys/fs/cgroup';
  const roots = existsSync(`${base}/cgroup.controllers`) ? [base] : readdirSync(base).map((d) => `${base}/${d}`);
  return roots.map((r) => `${r}/nslab/${GROUP}`).filter((d) => existsSync(d));
}

const app = servedApp({
  name: 'app',
  check: (said) => expect([...netnsPresent(['nslab-red', 'nslab-blue', `nslab-${LOG_NODE}`]), ...groupDirs()], `e2e left these behind; ${said}`).toEqual([]),
});
const { page, byTest, screenText, typeLine } = app;
const submit = (form: string, fields: Record<string, string>, button: string, confirm?: string) => submitOn(page(), form, fields, button, confirm);

describe('nslab in the browser', () => {
  it('refuses HTTP and WebSocket requests without the token', async () => {
    const plain = await fetch(`${app.serve.origin}/`);
    expect([401, 403]).toContain(plain.status);
    const wrong = await fetch(`${app.serve.origin}/?token=not-the-token`);
    expect([401, 403]).toContain(wrong.status);
    await expect(connectRpc(`ws://127.0.0.1:${app.serve.port}/rpc`)).rejects.toThrow(/40[13]/);
    const ok = await fetch(app.serve.url);
    expect(ok.status).toBe(200);
  });

  it('opens with the status bar filled from hello and doctor', async () => {
    await app.open();
    expect(await byTest('status-mode').innerText()).toMatch(/host/);
    await expect.poll(() => byTest('status-kernel').innerText(), { timeout: 20_000 }).toMatch(/\d+\.\d+/);
    await expect.poll(() => byTest('status-cgroup').innerText(), { timeout: 20_000 }).toMatch(/v1|v2|hybrid|none/);
  });

  it('builds RED ⇄ BLUE by clicking, shows it in the graph and pings across it', async () => {
    onTestFinished(async () => {
      for (const node of ['red', 'blue']) await tryCall(app.rpc, 'net.netns.delete', { node });
    });
    await app.open();
    await byTest('nav-topology').click();
    await buildRedBlue(page());
    await byTest('node-item-red').click();
    await expect.poll(() => byTest('link-veth-red').innerText(), { timeout: 10_000 }).toContain('10.0.0.1/24');
    expect(await byTest('link-veth-red').innerText()).toContain('nslab-blue');
    await app.browser.screenshot('topology');

    const ping = await app.nslab(['exec', 'red', '--', 'ping', '-c1', '-W1', '10.0.0.2']);
    expect(ping.stdout, ping.stderr).toMatch(/1 received/);
  });

  it('shows the equivalent commands in the Activity log', async () => {
    onTestFinished(() => tryCall(app.rpc, 'net.netns.delete', { node: LOG_NODE }));
    await app.open();
    await byTest('nav-topology').click();
    await submit('namespace', { 'ns-name': LOG_NODE }, 'ns-create');
    await byTest(`node-item-${LOG_NODE}`).waitFor();
    await submit('bridge', { 'bridge-node': LOG_NODE, 'bridge-name': 'br0' }, 'bridge-create');
    await byTest('addr-node').selectOption(LOG_NODE);
    await expect.poll(() => page().locator('[data-testid="addr-dev"] option[value="br0"]').count(), { timeout: 10_000 }).toBe(1);
    await submit('address', { 'addr-dev': 'br0', 'addr-value': '10.0.9.1/24' }, 'addr-add');
    await submit('delete namespace', { 'ns-delete-node': LOG_NODE }, 'ns-delete', 'ns-delete-confirm');
    await byTest(`node-item-${LOG_NODE}`).waitFor({ state: 'detached' });

    await byTest('nav-activity').click();
    const cmds = byTest('activity-cmd');
    await expect.poll(async () => (await cmds.allInnerTexts()).join('\n'), { timeout: 10_000 }).toMatch(new RegExp(`ip netns del(ete)? nslab-${LOG_NODE}`));
    const text = (await cmds.allInnerTexts()).join('\n');
    expect(text).toMatch(new RegExp(`ip netns add nslab-${LOG_NODE}`));
    expect(text).toMatch(/link add .*br0.*type bridge/);
    expect(text).toMatch(/addr add 10\.0\.9\.1\/24 dev br0/);
    await app.browser.screenshot('activity');
  });

  it('creates a 64 MB cgroup from the Cgroups panel, runs a process in it from a terminal there, and sees its memory series move', async () => {
    onTestFinished(() => tryCall(app.rpc, 'cgroup.remove', { name: GROUP, force: true }));
    await app.open();
    await byTest('nav-cgroups').click();
    await byTest('cgroup-layout').waitFor({ timeout: 20_000 });
    await submit('cgroup', { 'cgroup-name': GROUP, 'cgroup-memory': '64m' }, 'cgroup-create');
    await byTest(`cgroup-item-${GROUP}`).waitFor();
    const memRow = byTest('limit-memory');
    await expect.poll(() => memRow.innerText(), { timeout: 10_000 }).toMatch(/64 MiB/);
    expect(await memRow.innerText()).toMatch(/memory\.limit_in_bytes/);
    expect(await memRow.innerText()).toMatch(/memory\.max/);

    // The chart is fed by the helper's sampler (metrics.sample): an empty group first, under its limit.
    const chart = byTest('chart-memory');
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(0);
    const idle = Number(await chart.getAttribute('data-last'));
    expect(idle).toBeLessThan(8 * 1024 * 1024);

    // "Open a terminal in this group": a shell that starts inside nslab/<GROUP>; type a memory hog into it.
    await byTest('cgroup-open-terminal').click();
    const tab = page().locator('[role="tab"][aria-selected="true"][data-testid^="terminal-tab-"]');
    await expect.poll(() => tab.innerText(), { timeout: 20_000 }).toContain(`nslab/${GROUP}`);
    await typeLine('grep -c "/nslab/' + GROUP + '$" /proc/$$/cgroup | sed "s/^/IN-GROUP=/"');
    await expect.poll(screenText, { timeout: 10_000 }).toMatch(/IN-GROUP=[1-9]/);
    await typeLine('stress-ng --vm 1 --vm-bytes 40M --vm-keep --timeout 40s');
    await app.browser.screenshot('terminal-in-cgroup');

    // Back in the Cgroups panel: the history since it was closed, then live samples; the series rose by the
    // hog's 40 MiB and stays under the 64 MiB limit.
    await byTest('nav-cgroups').click();
    await expect.poll(async () => Number(await chart.getAttribute('data-last')), { timeout: 20_000 }).toBeGreaterThan(idle + 30 * 1024 * 1024);
    expect(Number(await chart.getAttribute('data-last'))).toBeLessThan(64 * 1024 * 1024);
    await expect.poll(() => byTest('cgroup-procs').locator('code').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await app.browser.screenshot('cgroups');

    // Removing the group ends what runs in it (the shell and stress-ng) first.
    // …after confirming; "Don't ask again" is a remembered setting.
    await byTest('cgroup-remove').click();
    await byTest('cgroup-remove-confirm').waitFor();
    await app.browser.screenshot('confirm-remove-cgroup');
    await byTest('cgroup-remove-confirm-confirm').click();
    await byTest(`cgroup-item-${GROUP}`).waitFor({ state: 'detached', timeout: 20_000 });
    expect(groupDirs()).toEqual([]);
  });

  it('switches to Korean and back', async () => {
    await app.open();
    await byTest('nav-activity').click();
    await byTest('language').selectOption('ko');
    await expect.poll(() => byTest('nav-topology').innerText()).toContain('토폴로지');
    expect(await byTest('nav-activity').innerText()).toContain('작업 기록');
    expect(await page().locator('h1').innerText()).toBe('작업 기록');
    expect(await page().evaluate(() => document.documentElement.lang)).toBe('ko');
    await byTest('nav-topology').click();
    await app.browser.screenshot('topology-ko');
    // Remembered across a reload.
    await page().reload();
    await expect.poll(() => byTest('nav-topology').innerText()).toContain('토폴로지');
    await byTest('language').selectOption('en');
    await expect.poll(() => byTest('nav-topology').innerText()).toContain('Topology');
  });
});
