// The shipped vxlan-overlay on the real kernel: two hosts on an underlay bridge, a VXLAN tunnel between
// them that really carries the ping (counted on both tunnel ends, and gone when the underlay is cut), shown
// by `topo show`, refused when a field is bad, destroyed without leftovers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TopologySnapshot } from '../../electron/shared/contract/index.js';
import { markedNetns, nslab, nslabJson } from '../support/cli.js';
import { ledgerForThisFile } from '../support/cli-file.js';

const state = ledgerForThisFile();
const FILE = 'resources/topologies/vxlan-overlay.yaml';

const ping = (node: string, address: string) => nslab(state.dir, ['exec', node, '--', 'ping', '-c', '1', '-W', '2', address]);
/** Packets through a link, from the kernel's own counters. */
async function packets(node: string, dev: string): Promise<{ tx: number; rx: number }> {
  const out = await nslab(state.dir, ['exec', node, '--', 'ip', '-j', '-s', 'link', 'show', dev]);
  const [link] = JSON.parse(out.stdout) as { stats64: { tx: { packets: number }; rx: { packets: number } } }[];
  return { tx: link!.stats64.tx.packets, rx: link!.stats64.rx.packets };
}

/** `nslab why` (exit 1 when not reachable; the answer on stdout either way). */
async function why(from: string, to: string): Promise<{ reachable: boolean; target: string | null }> {
  const r = await nslab(state.dir, ['why', '--from', from, '--to', to, '--json']);
  expect([0, 1], r.stderr).toContain(r.code);
  return JSON.parse(r.stdout) as { reachable: boolean; target: string | null };
}

describe('topology vxlan-overlay', () => {
  it('applies, pings across the tunnel, shows it, re-applies as a no-op and destroys cleanly', async () => {
    const checked = await nslab(state.dir, ['topo', 'check', FILE]);
    expect(checked.stdout).toMatch(/2 links, 2 vxlan tunnel ends \(vtep1\/vxlan0 vni 42 → 192\.0\.2\.2, vtep2\/vxlan0 vni 42 → 192\.0\.2\.1\)/);
    const applied = await nslabJson<{ name: string; created: string[] }>(state.dir, ['topo', 'apply', FILE, '--json']);
    expect(applied.name).toBe('vxlan-overlay');
    // recorded in the ledger like every other link it makes
    expect(applied.created).toEqual(expect.arrayContaining(['netns nslab-vtep1', 'link nslab-vtep1/vxlan0', 'link nslab-vtep2/vxlan0', 'link nslab-underlay/br0']));

    // the underlay first, then the overlay address, which only vxlan0 carries
    expect((await ping('vtep1', '192.0.2.2')).code).toBe(0);
    const before = { a: await packets('vtep1', 'vxlan0'), b: await packets('vtep2', 'vxlan0') };
    const over = await ping('vtep1', '10.42.0.2');
    expect(over.code, over.stdout + over.stderr).toBe(0);
    const after = { a: await packets('vtep1', 'vxlan0'), b: await packets('vtep2', 'vxlan0') };
    expect(after.a.tx - before.a.tx).toBeGreaterThanOrEqual(1);
    expect(after.b.rx - before.b.rx).toBeGreaterThanOrEqual(1);
    expect((await nslab(state.dir, ['exec', 'vtep1', '--', 'ip', 'route', 'get', '10.42.0.2'])).stdout).toMatch(/dev vxlan0/);

    // the diagnoser crosses the tunnel to the VTEP that holds its remote
    expect(await why('vtep1', '10.42.0.2')).toMatchObject({ reachable: true, target: 'vtep2' });

    // cut the underlay: the tunnel has nothing to ride on, and the diagnoser says so too
    expect((await nslab(state.dir, ['exec', 'underlay', '--', 'ip', 'link', 'set', 'eth2', 'down'])).code).toBe(0);
    expect((await ping('vtep1', '10.42.0.2')).code).not.toBe(0);
    expect((await why('vtep1', '10.42.0.2')).reachable).toBe(false);
    expect((await nslab(state.dir, ['exec', 'underlay', '--', 'ip', 'link', 'set', 'eth2', 'up'])).code).toBe(0);

    const snap = await nslabJson<TopologySnapshot>(state.dir, ['topo', 'show', 'vxlan-overlay', '--json']);
    const vx = snap.nodes.find((n) => n.name === 'vtep1')!.links.find((l) => l.name === 'vxlan0')!;
    expect(vx).toMatchObject({ kind: 'vxlan', up: true, addresses: ['10.42.0.1/24'], mtu: 1450, vxlan: { vni: 42, remote: '192.0.2.2', local: '192.0.2.1', dstport: 4789, dev: 'eth0' } });
    const text = (await nslab(state.dir, ['topo', 'show', 'vxlan-overlay'])).stdout;
    expect(text).toMatch(/vxlan0\s+vxlan\s+\S+\s+10\.42\.0\.2\/24 vni 42 remote 192\.0\.2\.1 dstport 4789 dev eth0/);

    const again = await nslabJson<{ created: string[]; unchanged: string[] }>(state.dir, ['topo', 'apply', FILE, '--json']);
    expect(again.created).toEqual([]);
    expect(again.unchanged).toEqual(expect.arrayContaining(['link nslab-vtep1/vxlan0', 'link nslab-vtep2/vxlan0']));

    const destroyed = await nslabJson<{ removed: string[] }>(state.dir, ['topo', 'destroy', 'vxlan-overlay', '--json']);
    // the tunnels go with their namespaces; the ledger keeps no record of them
    expect(destroyed.removed.sort()).toEqual(['nslab-underlay', 'nslab-vtep1', 'nslab-vtep2']);
    const left = await nslabJson<{ deleted: unknown[]; unknown: unknown[] }>(state.dir, ['gc', '--dry-run', '--json']);
    expect(left.deleted).toEqual([]);
    expect(markedNetns()).toEqual([]);
  });

  it('a bad vxlan field is a typed error naming it, and builds nothing', async () => {
    const yaml = 'name: vx-bad\nnodes:\n  - name: vxb1\nlinks:\n  - { kind: vxlan, node: vxb1, name: vx0, vni: 16777216, remote: 192.0.2.9 }\n';
    const file = join(mkdtempSync(join(tmpdir(), 'nslab-vxlan-')), 'vx-bad.yaml');
    writeFileSync(file, yaml);
    const r = await nslab(state.dir, ['topo', 'apply', file, '--json']);
    rmSync(dirname(file), { recursive: true, force: true });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; field: string; message: string } };
    expect(error).toMatchObject({ code: 'invalid-params', field: 'links.0.vni' });
    expect(error.message).toMatch(/vni must be 1\.\.16777215/);
    expect(markedNetns()).toEqual([]);
  });
});
