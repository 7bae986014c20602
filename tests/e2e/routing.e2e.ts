// Routes, sysctls and topology YAML from the GUI, end to end: `nslab serve` (real helper, real kernel, as
// root) + Debian's Chromium. A pasted bad YAML shows its problem at its line and column; a pasted good one
// applies and shows in the graph; in its node details a default route is added (and deleted, confirmed),
// ip_forward toggled and rp_filter set — each checked in the helper's snapshot (topology.show) and the
// kernel, and shown in the Activity log as the command. afterAll destroys the topology and gc's the ledger.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { NodeSnapshot, TopologySnapshot } from '../../electron/shared/contract/index.js';
import { finished as finishedOn, must, netnsPresent, servedApp, tryCall } from './setup.js';

const run = promisify(execFile);
const TOPO = 'e2e-route';
const [RA, RB] = ['e2e-ra', 'e2e-rb'];
const NAMESPACES = [`nslab-${RA}`, `nslab-${RB}`];
const GOOD = [
  `name: ${TOPO}`,
  'nodes:',
  `  - name: ${RA}`,
  `  - name: ${RB}`,
  'links:',
  '  - endpoints:',
  `      - { node: ${RA}, name: veth-ra, addresses: [10.66.0.1/24] }`,
  `      - { node: ${RB}, name: veth-rb, addresses: [10.66.0.2/24] }`,
  '',
].join('\n');
/** `endpoint:` for `endpoints:` on line 6, column 5. */
const BAD = GOOD.replace('  - endpoints:', '  - endpoint:');

const app = servedApp({
  name: 'routing',
  tearDown: async (a) => void (await tryCall(a.rpc, 'topology.destroy', { name: TOPO })),
  check: (said) => expect(netnsPresent(NAMESPACES), `e2e left these behind; ${said}`).toEqual([]),
});
const { page, byTest } = app;

const snapshotOf = async (name: string): Promise<NodeSnapshot | undefined> => (await must<TopologySnapshot>(app.rpc, 'topology.show', {})).nodes.find((n) => n.name === name);
const inNs = async (netns: string, ...argv: string[]): Promise<string> => (await run('ip', ['netns', 'exec', netns, ...argv])).stdout.trim();

/** Waits for an action's done note (or fails with its error). */
const finished = (button: string): Promise<void> => finishedOn(page(), button);

async function openYamlDialog(): Promise<void> {
  await app.open();
  await byTest('nav-topology').click();
  await byTest('yaml-open').click();
  await byTest('yaml-dialog').waitFor();
}

describe('topology YAML from the GUI', () => {
  it('a pasted bad YAML shows its problem at its line and column, and cannot be applied', async () => {
    await openYamlDialog();
    await byTest('yaml-text').fill(BAD);
    const first = byTest('yaml-error-0');
    await first.waitFor({ timeout: 10_000 });
    expect(await first.getAttribute('data-line')).toBe('6');
    expect(await first.getAttribute('data-col')).toBe('5');
    const text = await first.innerText();
    expect(text).toContain('line 6, column 5');
    expect(text).toContain("unknown key 'endpoint' — did you mean 'endpoints'?");
    expect(text).toMatch(/6 \|\s+- endpoint:/);
    expect(await byTest('yaml-apply').isDisabled()).toBe(true);
    // "Go to" puts the cursor on the problem.
    await byTest('yaml-error-0-jump').click();
    const caret = await byTest('yaml-text').evaluate((el) => (el as HTMLTextAreaElement).selectionStart);
    expect(BAD.slice(caret)).toMatch(/^endpoint:/);
    await app.browser.screenshot('topology-yaml-error');
    expect(netnsPresent(NAMESPACES)).toEqual([]);
  });

  it('a pasted good YAML previews, applies and shows in the graph', async () => {
    await openYamlDialog();
    await byTest('yaml-text').fill(GOOD);
    await byTest('yaml-valid').waitFor({ timeout: 10_000 });
    expect(await byTest('yaml-preview').innerText()).toContain(`${RA}/veth-ra ⇄ ${RB}/veth-rb`);
    await byTest('yaml-apply').click();
    await byTest('yaml-applied').waitFor({ timeout: 20_000 });
    expect(await byTest('yaml-dialog').count()).toBe(0);
    const graph = byTest('topology-graph');
    await expect.poll(async () => (await graph.getAttribute('data-nodes'))?.split(',') ?? [], { timeout: 10_000 }).toEqual(expect.arrayContaining([RA, RB]));
    expect((await snapshotOf(RA))?.topology).toBe(TOPO);
    await app.browser.screenshot('topology-yaml-applied');
  });
});

describe('routes and sysctls from the GUI', () => {
  it('adds a default route, toggles ip_forward, sets rp_filter, deletes the route; the snapshot and the activity log agree', async () => {
    if (!(await snapshotOf(RA))) await must(app.rpc, 'topology.apply', { yaml: GOOD, file: 'e2e.yaml' });
    await app.open();
    await byTest('nav-topology').click();

    // RA: default via RB.
    await byTest(`node-item-${RA}`).click();
    await byTest('route-to').fill('default');
    await byTest('route-via').fill('10.66.0.2');
    await byTest('route-add').click();
    await finished('route-add');
    await expect.poll(async () => (await snapshotOf(RA))?.routes.find((r) => r.to === 'default'), { timeout: 10_000 }).toMatchObject({ via: '10.66.0.2', dev: 'veth-ra' });
    await byTest('route-default').waitFor({ timeout: 10_000 });

    // RB: forwarding on, rp_filter loose.
    await byTest(`node-item-${RB}`).click();
    expect(await byTest('forwarding').innerText()).toBe('off');
    await byTest('forwarding-toggle').click();
    await finished('forwarding-toggle');
    await expect.poll(async () => (await snapshotOf(RB))?.forwarding, { timeout: 10_000 }).toBe(true);
    expect(await inNs(`nslab-${RB}`, 'sysctl', '-n', 'net.ipv4.ip_forward')).toBe('1');
    await expect.poll(() => byTest('forwarding').innerText(), { timeout: 10_000 }).toBe('on');
    await byTest('rp-2').check();
    await byTest('rp-apply').click();
    await finished('rp-apply');
    await expect.poll(async () => (await snapshotOf(RB))?.rpFilter, { timeout: 10_000 }).toBe(2);
    await app.browser.screenshot('topology-routing');

    // RA again: delete the default route, after confirming.
    await byTest(`node-item-${RA}`).click();
    await byTest('route-delete-default').click();
    await byTest('route-delete-confirm').waitFor();
    await byTest('route-delete-confirm-confirm').click();
    await expect.poll(async () => (await snapshotOf(RA))?.routes.some((r) => r.to === 'default'), { timeout: 10_000 }).toBe(false);
    await byTest('route-default').waitFor({ state: 'detached', timeout: 10_000 });

    await byTest('nav-activity').click();
    const cmds = byTest('activity-cmd');
    await expect.poll(async () => (await cmds.allInnerTexts()).join('\n'), { timeout: 10_000 }).toMatch(new RegExp(`ip -n nslab-${RA} route del default via 10\\.66\\.0\\.2 dev veth-ra`));
    const text = (await cmds.allInnerTexts()).join('\n');
    expect(text).toContain(`ip -n nslab-${RA} route replace default via 10.66.0.2`);
    expect(text).toContain(`ip netns exec nslab-${RB} sysctl -q -w net.ipv4.ip_forward=1`);
    expect(text).toContain(`ip netns exec nslab-${RB} sysctl -q -w net.ipv4.conf.all.rp_filter=2`);
  });
});
