// The Labs panel end to end: `nslab serve` (real helper, real kernel, as root) + Debian's Chromium. Walks the
// netns-bridge lab by clicking — Start, a command run in the lab's terminal, Check (step 1 passes; step 2
// fails with expected/observed), Hint, Solve (confirmed), Check passes, every step passes, Export, Stop —
// and checks the kernel along the way. Each test puts the lab in the state it starts from over the relay
// (down, or freshly reset) and opens the app afresh, so none depends on the one before. afterAll takes the
// lab down and gc's this test's ledger, whatever state a test died in, then compares the host with before.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { must, netnsPresent, servedApp } from './setup.js';

const run = promisify(execFile);
const LAB = 'netns-bridge';
const NAMESPACES = ['nslab-br-red', 'nslab-br-blue', 'nslab-br-host'];
/** The links the lab makes (inside its namespaces); none may ever end up in the root namespace. */
const LAB_LINKS = ['veth-red', 'veth-blue', 'br0', 'eth0'];

/** What the lab could change on the host: its namespaces, the root namespace's links, the root ruleset. */
async function hostState(): Promise<{ netns: string[]; links: string[]; rules: string }> {
  const links = (await run('ip', ['-o', 'link', 'show'])).stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(':')[1]!.trim().split('@')[0]!)
    .sort();
  // Comments carry a timestamp and counters move with the host's own traffic: compare the rules themselves.
  const rules = (await run('iptables-save')).stdout.replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, '');
  return { netns: netnsPresent(NAMESPACES), links, rules };
}

let before: Awaited<ReturnType<typeof hostState>>;

const app = servedApp({
  name: 'labs',
  before: async () => {
    before = await hostState();
    expect(before.netns, 'a netns-bridge lab is already up on this host').toEqual([]);
  },
  tearDown: async (a) => {
    const down = await a.nslab(['lab', 'down', LAB]);
    return `lab down said: ${down.stdout}${down.stderr}`;
  },
  check: async (said) => {
    const after = await hostState();
    expect(after.netns, `the labs e2e left these behind; ${said}`).toEqual([]);
    // Other tests may add or remove their own links meanwhile: what matters is that none of this lab's is in the root namespace.
    const leaked = after.links.filter((l) => LAB_LINKS.includes(l) && !before.links.includes(l));
    expect(leaked, said).toEqual([]);
    expect(after.rules, said).toBe(before.rules);
  },
});
const { page, byTest } = app;

const labNamespaces = async (): Promise<string[]> => (await hostState()).netns.sort();

/** Clicks an action button of the lab view and waits until that action finished; fails with the error shown next to it. */
async function act(button: string, error: string, confirm?: string): Promise<void> {
  const finished = async (): Promise<number> => Number(await byTest('lab-view').getAttribute('data-finished'));
  const before = await finished();
  await byTest(button).click();
  if (confirm) await byTest(`${confirm}-confirm`).click();
  await expect.poll(finished, { timeout: 60_000 }).toBeGreaterThan(before);
  const note = byTest(error);
  if (await note.count()) throw new Error(`${button}: ${await note.innerText()}`);
}

/** The lab up in its starting state, no step passed yet (reset rebuilds it and clears the progress). */
const freshLab = () => must(app.rpc, 'lab.reset', { id: LAB });
/** The lab not up, no step passed. */
async function labDownUntouched(): Promise<void> {
  await freshLab();
  await must(app.rpc, 'lab.down', { id: LAB });
}

/** A fresh page with the lab's view open. */
async function openLab(): Promise<void> {
  await app.open();
  await byTest('nav-labs').click();
  await byTest(`lab-open-${LAB}`).click();
  await byTest('lab-view').waitFor({ timeout: 20_000 });
}

describe('the Labs panel in the browser', () => {
  it('lists the labs with their level, time and progress, filtered by topic', async () => {
    await labDownUntouched();
    await app.open();
    await byTest('nav-labs').click();
    const card = byTest(`lab-card-${LAB}`);
    await card.waitFor({ timeout: 20_000 });
    expect(await card.innerText()).toMatch(/RED ← br0 → BLUE/);
    expect(await card.innerText()).toMatch(/Beginner/);
    expect(await card.innerText()).toMatch(/15 min/);
    expect(await card.innerText()).toMatch(/0 of 3 steps passed/);
    expect(await card.getAttribute('data-up')).toBe('false');

    await byTest('lab-topic-firewall').click();
    await byTest('lab-card-ping-failed').waitFor();
    expect(await card.count()).toBe(0);
    await byTest('lab-topic-all').click();
    await card.waitFor();
  });

  it('starts the lab: its namespaces exist and show in the Topology panel', async () => {
    await labDownUntouched();
    await openLab();
    expect(await byTest('lab-state').getAttribute('data-up')).toBe('false');
    expect(await byTest('lab-check').isDisabled()).toBe(true);
    await act('lab-up', 'lab-up-error');
    await expect.poll(() => byTest('lab-state').getAttribute('data-up'), { timeout: 20_000 }).toBe('true');
    expect(await labNamespaces()).toEqual([...NAMESPACES].sort());

    await byTest('lab-show-topology').click();
    await byTest('node-item-br-host').waitFor({ timeout: 20_000 });
    await byTest('node-item-br-red').waitFor();
    await byTest('nav-labs').click();
    await byTest('lab-view').waitFor();
  });

  it("runs a step's command in a terminal on the lab's node", async () => {
    await freshLab();
    await openLab();
    await byTest('lab-step-1').click();
    expect(await byTest('lab-step-detail').getAttribute('data-step')).toBe('1');
    expect(await byTest('lab-cmd-0').innerText()).toContain('ip -br link');
    await byTest('lab-cmd-run-0').click();
    // Still the Labs panel, with the shell in br-host below the step.
    await byTest('lab-view').waitFor();
    const screen = byTest('lab-terminal').locator('.xterm-rows');
    await expect.poll(() => screen.innerText(), { timeout: 20_000 }).toMatch(/^veth-red@\S+\s+(UP|DOWN|LOWERLAYERDOWN)\s/m);
    expect(await screen.innerText()).toMatch(/^br0\s/m);
    expect(await byTest('lab-terminal-br-host').getAttribute('aria-pressed')).toBe('true');
  });

  it('checks step 1 (met), then step 2 fails with expected vs observed, and the hint names the fix', async () => {
    await freshLab();
    await openLab();
    await byTest('lab-step-1').click();
    await act('lab-check', 'lab-check-error');
    expect(await byTest('lab-check-result').getAttribute('data-ok')).toBe('true');
    await byTest('lab-next').click();
    expect(await byTest('lab-step-detail').getAttribute('data-step')).toBe('2');
    expect(await byTest('lab-step-title').innerText()).toBe('Plug both cables into br0');

    await act('lab-check', 'lab-check-error');
    expect(await byTest('lab-check-result').getAttribute('data-ok')).toBe('false');
    const red = byTest('probe-red-port');
    expect(await red.getAttribute('data-ok')).toBe('false');
    expect(await red.locator('[data-testid="probe-expected"]').innerText()).toBe('veth-red is a port of br0');
    expect(await red.locator('[data-testid="probe-observed"]').innerText()).toBe('ports of br0: none');
    expect(await red.locator('[data-testid="probe-where"]').innerText()).toContain('ip -n nslab-br-host link show master br0');
    expect(await byTest('probe-ping').getAttribute('data-ok')).toBe('false');
    expect(await byTest('lab-step-2').getAttribute('data-state')).toBe('failed');

    await act('lab-hint', 'lab-hint-error');
    expect(await byTest('lab-hint-text').innerText()).toContain('veth-red is not a port of br0');
    expect(await byTest('lab-hint-probe').innerText()).toContain('ports of br0: none');
  });

  it('shows the lab in Korean', async () => {
    await freshLab();
    await openLab();
    await byTest('lab-step-2').click();
    await byTest('language').selectOption('ko');
    await expect.poll(() => byTest('lab-step-title').innerText()).toBe('두 케이블을 br0에 꽂기');
    expect(await byTest('lab-check').innerText()).toBe('확인');
    await byTest('language').selectOption('en');
    await expect.poll(() => byTest('lab-step-title').innerText()).toBe('Plug both cables into br0');
  });

  it('solves step 2 after confirming, and Check passes', async () => {
    await freshLab();
    await openLab();
    await byTest('lab-step-2').click();
    // Cancel first: nothing is applied.
    await byTest('lab-solve').click();
    await byTest('solve-confirm').waitFor();
    await byTest('solve-confirm-cancel').click();
    await byTest('solve-confirm').waitFor({ state: 'detached' });
    expect(await byTest('lab-solved').count()).toBe(0);
    const { stdout: unplugged } = await run('ip', ['-n', 'nslab-br-host', '-o', 'link', 'show', 'master', 'br0']);
    expect(unplugged.trim()).toBe('');

    await byTest('lab-solve').click();
    await byTest('solve-confirm').waitFor();
    await act('solve-confirm-confirm', 'lab-solve-error');
    await byTest('lab-solved').waitFor();
    expect(await byTest('lab-solved-shell').innerText()).toMatch(/veth-red.*master br0/);
    const { stdout: plugged } = await run('ip', ['-n', 'nslab-br-host', '-o', 'link', 'show', 'master', 'br0']);
    expect(plugged).toMatch(/veth-red/);
    expect(plugged).toMatch(/veth-blue/);

    await act('lab-check', 'lab-check-error');
    expect(await byTest('lab-check-result').getAttribute('data-ok')).toBe('true');
    for (const probe of ['red-port', 'blue-port', 'ping']) expect(await byTest(`probe-${probe}`).getAttribute('data-ok')).toBe('true');
    expect(await byTest('lab-step-2').getAttribute('data-state')).toBe('passed');

    await act('lab-check-all', 'lab-check-error');
    expect(await byTest('lab-check-result').getAttribute('data-ok')).toBe('true');
    await byTest('lab-complete').waitFor();
    expect(await byTest('lab-progress-text').innerText()).toBe('3 of 3 steps passed');
    await app.browser.screenshot('labs');
  });

  it('exports the reference solution as a shell script', async () => {
    await freshLab();
    await openLab();
    const [download] = await Promise.all([page().waitForEvent('download', { timeout: 20_000 }), byTest('lab-export').click()]);
    expect(download.suggestedFilename()).toBe(`nslab-lab-${LAB}.sh`);
    const file = await download.path();
    const script = readFileSync(file, 'utf8');
    expect(script.startsWith('#!/bin/sh')).toBe(true);
    expect(script).toMatch(/ip -n nslab-br-host link set veth-red master br0|link set veth-red master br0/);
  });

  it('stops the lab: its terminal closes and its namespaces are gone', async () => {
    // Up with every step passed (step 2 solved, then all checked), and a terminal open on its host node.
    await freshLab();
    await must(app.rpc, 'lab.solve', { id: LAB, step: 2 });
    expect(await must<{ ok: boolean }>(app.rpc, 'lab.check', { id: LAB })).toMatchObject({ ok: true });
    await openLab();
    await byTest('lab-terminal-br-host').click();
    await byTest('lab-terminal').locator('.xterm-rows').waitFor({ timeout: 20_000 });
    await act('lab-down', 'lab-down-error', 'lab-down-confirm');
    await expect.poll(() => byTest('lab-state').getAttribute('data-up'), { timeout: 20_000 }).toBe('false');
    await byTest('lab-terminal-empty').waitFor();
    expect(await labNamespaces()).toEqual([]);
    await byTest('lab-back').click();
    const card = byTest(`lab-card-${LAB}`);
    await card.waitFor();
    expect(await card.getAttribute('data-up')).toBe('false');
    expect(await card.innerText()).toMatch(/3 of 3 steps passed/);
    expect(await card.innerText()).toMatch(/Completed/);
  });
});
