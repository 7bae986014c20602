// Terminals end to end: `nslab serve` (real helper, real kernel, as root) + Debian's Chromium. Applies the
// shipped red-blue topology by name over the relay (setup; no test changes it), then each test — on a fresh
// page, by clicks and typing only — opens its own terminal on RED from the Topology panel: runs `ip -br addr`,
// prints Korean, reloads the page and finds the session and its scrollback again, keeps output that arrives
// while the terminal is hidden, and closes the tab (which ends the shell). Each test's shell is killed after
// it; afterAll destroys the topology and runs gc.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { must, netnsPresent, servedApp, tryCall } from './setup.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What red-blue creates: its namespaces, and anything of its in the root namespace. */
async function kernelState(): Promise<{ netns: string[]; links: string[] }> {
  const links = (await run('ip', ['-o', 'link'])).stdout
    .split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
    .filter((n) => /red|blue/.test(n));
  return { netns: netnsPresent(['nslab-red', 'nslab-blue']), links };
}

let before: Awaited<ReturnType<typeof kernelState>>;

const app = servedApp({
  name: 'terminals',
  before: async () => {
    // Another test (app.e2e.ts) uses the same shipped topology: never run over it.
    for (let i = 0; i < 120 && (await kernelState()).netns.length; i++) await sleep(500);
    before = await kernelState();
    expect(before.netns).toEqual([]);
  },
  // By name, as the Topology panel applies it: the YAML stays in the helper. The relay line is also an
  // observer, to check what the helper runs, and kills each test's shell.
  setUp: (a) => must(a.rpc, 'topology.apply', { builtin: 'red-blue' }),
  tearDown: async (a) => {
    const destroyed = await a.nslab(['topo', 'destroy', 'red-blue']);
    return `destroy said: ${destroyed.stdout}${destroyed.stderr}`;
  },
  check: async (said) => expect(await kernelState(), `terminals e2e left these behind; ${said}`).toEqual(before),
});
const { page, byTest, screenText, typeLine } = app;

async function sessions(): Promise<{ id: string; pid: number; title: string; exited: unknown }[]> {
  const reply = await app.rpc.call('pty.list', {});
  return (reply.result as { sessions: { id: string; pid: number; title: string; exited: unknown }[] }).sessions;
}

/** A fresh page, and a terminal on RED opened from the Topology panel (its shell is killed after the test). */
async function openRedTerminal(): Promise<string> {
  await app.open();
  await byTest('nav-topology').click();
  await byTest('node-item-red').click();
  await byTest('open-terminal-here').click();
  // The Terminals panel comes up with a tab named after the node.
  const tab = page().locator('[role="tab"][aria-selected="true"][data-testid^="terminal-tab-"]');
  await expect.poll(() => tab.innerText(), { timeout: 20_000 }).toBe('red');
  const id = (await tab.getAttribute('data-testid'))!.replace('terminal-tab-', '');
  expect(id).toMatch(/^t\d+$/);
  onTestFinished(() => tryCall(app.rpc, 'pty.kill', { id, signal: 'SIGKILL' }));
  await expect.poll(screenText, { timeout: 20_000 }).toMatch(/[#$]\s*$/m); // a prompt
  return id;
}

describe('terminals in the browser', () => {
  it('opens a terminal on RED from the Topology panel and sees only RED’s address', async () => {
    const id = await openRedTerminal();
    await typeLine('ip -br addr');
    await expect.poll(screenText, { timeout: 20_000 }).toMatch(/veth-red\S*\s+UP\s+10\.0\.0\.1\/24/);
    expect(await screenText()).not.toContain('10.0.0.2/24');
    const mine = (await sessions()).find((s) => s.id === id);
    expect(mine).toMatchObject({ title: 'red', exited: null });
  });

  it('renders Korean the shell prints', async () => {
    await openRedTerminal();
    // An ASCII-only command line first: the cell width is measured on it.
    await typeLine('echo cells-$((2*3))');
    await expect.poll(screenText, { timeout: 20_000 }).toContain('cells-6');
    // The echo of the command line differs from its output ($((6*7)) → 42), so the output is what matches.
    await typeLine("printf '안녕하세요, 세계 %s\\n' $((6*7))");
    await expect.poll(screenText, { timeout: 20_000 }).toContain('안녕하세요, 세계 42');
    // Wide characters (Unicode 11 widths): each Hangul syllable takes two cells.
    const widths = await page().evaluate(() => {
      const rows = [...document.querySelectorAll('.terminal-host .xterm-rows > div')];
      const row = rows.find((r) => r.textContent?.startsWith('안녕하세요, 세계 42'));
      const prompt = rows.find((r) => /[#$]/.test(r.textContent ?? '') && !/[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/.test(r.textContent ?? '')); // no wide characters
      const measure = (el: Element, chars: number): number => {
        const range = document.createRange();
        range.selectNodeContents(el);
        return range.getBoundingClientRect().width / chars;
      };
      return row && prompt ? { korean: measure(row, 1), cell: measure(prompt, (prompt.textContent ?? '').length) } : null;
    });
    expect(widths).not.toBeNull();
    // "안녕하세요, 세계 42": 7 Hangul (14 cells) + ", " + " 42" (5 cells) = 19 cells
    expect(widths!.korean / widths!.cell).toBeGreaterThan(18);
    expect(widths!.korean / widths!.cell).toBeLessThan(20);
  });

  it('finds the session and its scrollback again after a reload, and keeps typing into it', async () => {
    const id = await openRedTerminal();
    await typeLine("printf '안녕하세요, 세계 %s\\n' $((6*7)); ip -br addr");
    await expect.poll(screenText, { timeout: 20_000 }).toContain('안녕하세요, 세계 42');
    const pidBefore = (await sessions()).find((s) => s.id === id)!.pid;
    await page().reload();
    await expect.poll(() => byTest(`terminal-tab-${id}`).count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(screenText, { timeout: 20_000 }).toContain('안녕하세요, 세계 42');
    expect(await screenText()).toMatch(/10\.0\.0\.1\/24/);
    expect((await sessions()).find((s) => s.id === id)).toMatchObject({ pid: pidBefore, exited: null });
    await typeLine('echo after-reload-$((40+2))');
    await expect.poll(screenText, { timeout: 20_000 }).toContain('after-reload-42');
    await app.browser.screenshot('terminals');
  });

  it('output that arrives while the terminal is hidden is all there when it is shown again', async () => {
    await openRedTerminal();
    // ~170 000 characters while another panel is shown: parsed in background pieces, in order.
    await typeLine('sleep 1; seq 1 30000; echo hidden-done-$((6*7))');
    await byTest('nav-topology').click();
    await expect.poll(() => page().locator('.terminal-host').count()).toBe(0);
    await sleep(3000);
    await byTest('nav-terminals').click();
    await expect.poll(screenText, { timeout: 20_000 }).toContain('hidden-done-42');
    const lines = (await screenText()).split('\n').map((l) => l.trim());
    const done = lines.indexOf('hidden-done-42');
    expect(lines.slice(done - 3, done)).toEqual(['29998', '29999', '30000']);
  });

  it('closing the tab ends the shell', async () => {
    const id = await openRedTerminal();
    await byTest(`terminal-close-${id}`).click();
    await expect.poll(() => byTest(`terminal-tab-${id}`).count()).toBe(0);
    await expect.poll(async () => (await sessions()).find((s) => s.id === id)?.exited ?? null, { timeout: 20_000 }).not.toBeNull();
  });
});
