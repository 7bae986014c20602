// The Firewall and Conntrack panels end to end: `nslab serve` (real helper, real kernel, as root) + Debian's
// Chromium, on the nat-outside lab solved up to its MASQUERADE step. The Firewall panel shows nat-host's
// rules on the hook diagram, then a walk traced from nat-red plays hop by hop on the diagram of every
// namespace it crossed; the Conntrack panel shows the NATed flow a ping from RED makes, live, linked to
// the MASQUERADE rule. afterAll takes the lab down and gc's this test's ledger, then checks nothing is left.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { must, netnsPresent, servedApp } from './setup.js';

const run = promisify(execFile);
const LAB = 'nat-outside';
const NAMESPACES = ['nslab-nat-red', 'nslab-nat-blue', 'nslab-nat-host', 'nslab-nat-outside'];
const MASQ = 'iptables -t nat -A POSTROUTING -s 10.0.1.0/24 ! -o br0 -m comment --comment nslab:nat-outside -j MASQUERADE';

const app = servedApp({
  name: 'fw',
  before: () => expect(netnsPresent(NAMESPACES), 'a nat-outside lab is already up on this host').toEqual([]),
  setUp: async (a) => {
    await must(a.rpc, 'lab.up', { id: LAB });
    await must(a.rpc, 'lab.solve', { id: LAB, step: 1 });
    await must(a.rpc, 'lab.solve', { id: LAB, step: 2 });
  },
  tearDown: async (a) => {
    const down = await a.nslab(['lab', 'down', LAB]);
    return `lab down said: ${down.stdout}${down.stderr}`;
  },
  check: (said) => expect(netnsPresent(NAMESPACES), said).toEqual([]),
});
const { page, byTest } = app;

describe('the Firewall panel in the browser', () => {
  it('shows the rules of a node on its hook diagram, and animates a walk across every namespace it crossed', async () => {
    await app.open();
    await byTest('nav-firewall').click();
    await byTest('firewall-panel').waitFor({ timeout: 20_000 });
    await byTest('fw-node').selectOption('nat-host');
    const chain = byTest('chain-iptables-nft/ip/nat/POSTROUTING');
    await chain.waitFor({ timeout: 20_000 });
    expect(await byTest('hook-postrouting').first().innerText()).toMatch(/nat\/POSTROUTING/);
    await chain.click();
    await expect.poll(() => byTest('rule-0').innerText(), { timeout: 10_000 }).toContain(MASQ);
    await app.browser.screenshot('firewall-rules');

    await byTest('fw-node').selectOption('nat-red');
    await byTest('trace-to').waitFor({ timeout: 20_000 });
    await byTest('trace-to').fill('192.168.77.2');
    await byTest('trace-run').click();
    await byTest('fw-walk').waitFor({ timeout: 20_000 });
    // one diagram per namespace the packet crossed, in the order it reached them
    await expect.poll(() => page().locator('.walk-ns').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))), { timeout: 10_000 }).toEqual([
      'walk-ns-nat-red',
      'walk-ns-nat-host',
      'walk-ns-nat-outside',
    ]);
    // the animation moves: the lit hop goes from RED's OUTPUT on through the host
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const at = await byTest('walk-at').innerText().catch(() => '');
          if (at) seen.add(at.replace(/^hop \d+ of \d+: /, ''));
          return [...seen].some((s) => /in nat-host at POSTROUTING/.test(s));
        },
        { timeout: 30_000, interval: 150 },
      )
      .toBe(true);
    expect(seen.size).toBeGreaterThan(2);
    await app.browser.screenshot('firewall-walk');
    expect(await page().locator('.walk-ns.current').count()).toBe(1);
    const fates = await byTest('fw-fate').allInnerTexts();
    expect(fates[0]).toMatch(/delivered to the local stack of nat-outside/);
    expect(fates[1]).toMatch(/delivered to the local stack of nat-red/);
    expect(await byTest('fw-walk').innerText()).toMatch(/snat saddr 10\.0\.1\.1 → 192\.168\.77\.1/);
    // stepping by keyboard: End goes to the last hop, which lights RED's INPUT
    await byTest('hop-0').focus();
    await page().keyboard.press('End');
    await expect.poll(() => byTest('walk-at').innerText()).toMatch(/reply in nat-red at INPUT/);
    expect(await page().locator('[data-testid="walk-ns-nat-red"] [data-testid="hook-input"]').getAttribute('class')).toMatch(/\blit\b/);
  });
});

describe('the Conntrack panel in the browser', () => {
  it('shows the NATed flow a ping from RED creates, live, linked to the MASQUERADE rule', async () => {
    await must(app.rpc, 'ct.flush', { node: 'nat-host', all: true });
    await app.open();
    await byTest('nav-conntrack').click();
    await byTest('conntrack-panel').waitFor({ timeout: 20_000 });
    await byTest('ct-node').selectOption('nat-host');
    await byTest('ct-watching').waitFor({ timeout: 20_000 });
    await run('ip', ['netns', 'exec', 'nslab-nat-red', 'ping', '-n', '-c', '1', '-W', '2', '192.168.77.2']);
    const row = page().locator('[data-testid="ct-entry"]', { hasText: '10.0.1.1 → 192.168.77.2' });
    await row.waitFor({ timeout: 20_000 });
    expect(await row.innerText()).toMatch(/icmp/);
    expect(await row.locator('[data-testid="ct-nat"]').innerText()).toMatch(/SNAT 10\.0\.1\.1 → 192\.168\.77\.1/);
    expect(await row.locator('[data-testid="ct-nat-rule"]').innerText()).toBe(MASQ);
    await expect.poll(() => page().locator('[data-testid="ct-event"][data-type="NEW"]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await app.browser.screenshot('conntrack');

    // flush it after confirming: gone from the kernel's table and the panel
    await row.locator('[data-testid="ct-flush"]').click();
    await byTest('ct-flush-confirm-confirm').click();
    await expect.poll(() => page().locator('[data-testid="ct-entry"]', { hasText: '10.0.1.1 → 192.168.77.2' }).count(), { timeout: 10_000 }).toBe(0);
    const listed = await must<{ entries: { original: { src: string; dst: string } }[] }>(app.rpc, 'ct.list', { node: 'nat-host' });
    expect(listed.entries.filter((e) => e.original.src === '10.0.1.1' && e.original.dst === '192.168.77.2')).toEqual([]);

    // the rule link opens the Firewall panel on the nat table with the rule highlighted
    await run('ip', ['netns', 'exec', 'nslab-nat-red', 'ping', '-n', '-c', '1', '-W', '2', '192.168.77.2']);
    await row.waitFor({ timeout: 20_000 });
    await row.locator('[data-testid="ct-nat-rule"]').click();
    await byTest('firewall-panel').waitFor({ timeout: 20_000 });
    await expect.poll(() => page().locator('.fw-rules tr.focus').innerText(), { timeout: 10_000 }).toContain(MASQ);
  });
});
