// The shipped topologies on the real kernel: build, reach across, show, destroy, leave nothing behind.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TopologySnapshot } from '../../electron/shared/contract/index.js';
import { ROOT, kernelState, markedNetns, nslab, nslabJson } from '../support/cli.js';
import { ledgerForThisFile } from '../support/cli-file.js';

const state = ledgerForThisFile();

const ping = (node: string, address: string) => nslab(state.dir, ['exec', node, '--', 'ping', '-c', '1', '-W', '2', address]);

describe.each([
  ['red-blue', 'resources/topologies/red-blue.yaml'],
  ['red-br0-blue', 'resources/topologies/red-br0-blue.yaml'],
])('topology %s', (name, file) => {
  it('applies, pings RED→BLUE, shows, and destroys without leftovers', async () => {
    const applied = await nslabJson<{ name: string; created: string[] }>(state.dir, ['topo', 'apply', file, '--json']);
    expect(applied.name).toBe(name);
    expect(applied.created).toContain('netns nslab-red');

    expect((await ping('red', '10.0.0.2')).code).toBe(0);
    expect((await ping('blue', '10.0.0.1')).code).toBe(0);

    const snap = await nslabJson<TopologySnapshot>(state.dir, ['topo', 'show', name, '--json']);
    expect(snap.name).toBe(name);
    const red = snap.nodes.find((n) => n.name === 'red')!;
    const blue = snap.nodes.find((n) => n.name === 'blue')!;
    expect(red.netns).toBe('nslab-red');
    const redLink = red.links.find((l) => l.kind === 'veth')!;
    expect(redLink.addresses).toEqual(['10.0.0.1/24']);
    expect(redLink.state).toBe('UP');
    expect(blue.links.find((l) => l.kind === 'veth')!.addresses).toEqual(['10.0.0.2/24']);
    // Each namespace sees only its own interfaces and routes (the notes' first conclusion).
    expect(red.links.map((l) => l.name).sort()).toEqual(['lo', redLink.name].sort());
    expect(red.routes.every((r) => r.dev === undefined || red.links.some((l) => l.name === r.dev))).toBe(true);
    if (name === 'red-blue') {
      expect(redLink).toMatchObject({ name: 'veth-red', peer: 'veth-blue', peerNetns: 'nslab-blue' });
    } else {
      const host = snap.nodes.find((n) => n.name === 'host')!;
      expect(host.links.find((l) => l.name === 'br0')).toMatchObject({ kind: 'bridge', addresses: ['10.0.0.254/24'] });
      expect(host.links.find((l) => l.name === 'veth-red')).toMatchObject({ master: 'br0', peer: 'eth0', peerNetns: 'nslab-red' });
      expect((await ping('red', '10.0.0.254')).code).toBe(0);
    }

    // Idempotent: a second apply creates nothing and changes nothing.
    const again = await nslabJson<{ created: string[]; unchanged: string[] }>(state.dir, ['topo', 'apply', file, '--json']);
    expect(again.created).toEqual([]);
    expect(again.unchanged.length).toBe(applied.created.length);

    const destroyed = await nslabJson<{ removed: string[] }>(state.dir, ['topo', 'destroy', name, '--json']);
    expect(destroyed.removed).toContain('nslab-red');
    expect(markedNetns()).toEqual([]);
  });
});

describe('collisions', () => {
  it('fails with `exists` and changes nothing when an object is already there', async () => {
    await nslabJson(state.dir, ['topo', 'apply', 'resources/topologies/red-blue.yaml', '--json']);
    const snapshotBefore = kernelState();
    const r = await nslab(state.dir, ['topo', 'apply', 'resources/topologies/red-br0-blue.yaml', '--json']);
    expect(r.code).not.toBe(0);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'exists' });
    expect(kernelState()).toBe(snapshotBefore);
    await nslabJson(state.dir, ['topo', 'destroy', 'red-blue', '--json']);
    expect(markedNetns()).toEqual([]);
  });

  it('refuses a link name already taken inside a namespace the topology owns, before changing anything', async () => {
    const file = join(state.dir, 'grow.yaml');
    const base = readFileSync(join(ROOT, 'resources/topologies/red-blue.yaml'), 'utf8');
    await nslabJson(state.dir, ['topo', 'apply', 'resources/topologies/red-blue.yaml', '--json']);
    // Someone (not nslab) adds an interface to RED by hand; a re-apply that wants that name must refuse.
    writeFileSync(file, base + `  - endpoints:\n      - { node: red, name: handmade }\n      - { node: blue, name: other }\n`);
    spawnSync('ip', ['-n', 'nslab-red', 'link', 'add', 'handmade', 'type', 'bridge']);
    const snapshotBefore = kernelState();
    const r = await nslab(state.dir, ['topo', 'apply', file, '--json']);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'exists' });
    expect(kernelState()).toBe(snapshotBefore);
    await nslabJson(state.dir, ['topo', 'destroy', 'red-blue', '--json']);
    expect(markedNetns()).toEqual([]);
  });
});
