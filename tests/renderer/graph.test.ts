import { describe, expect, it } from 'vitest';
import { MIN_LABEL_PX, ROOT_ID, bridgeId, labelScale, nsId, toGraph } from '../../renderer/src/panels/Topology/graph';
import { defaultIf } from '../../renderer/src/panels/Topology/naming';
import { node, redBlue } from './fake-api';

describe('toGraph', () => {
  it('draws a vxlan tunnel once, as a vxlan edge labelled with its VNI between the two tunnel ends', () => {
    const vtep = (name: string, self: string, remote: string, overlay: string, state = 'UNKNOWN') =>
      node(name, [
        { name: 'eth0', peer: 'eth1', peerNetns: 'nslab-underlay', addresses: [`${self}/24`] },
        { name: 'vxlan0', kind: 'vxlan', state, addresses: [overlay, 'fe80::1/64'], vxlan: { vni: 42, remote, local: self, dstport: 4789, dev: 'eth0' } },
      ]);
    const g = toGraph([vtep('vtep1', '192.0.2.1', '192.0.2.2', '10.42.0.1/24'), vtep('vtep2', '192.0.2.2', '192.0.2.1', '10.42.0.2/24')], 'root', {
      vni: (v) => `VNI=${v}`,
      remote: (a) => `far ${a}`,
    });
    const tunnels = g.edges.filter((e) => e.kind === 'vxlan');
    expect(tunnels).toHaveLength(1);
    expect(tunnels[0]).toMatchObject({ label: 'VNI=42', source: nsId('vtep1'), target: nsId('vtep2'), sourceLabel: 'vxlan0\n10.42.0.1/24', targetLabel: 'vxlan0\n10.42.0.2/24', up: true });
    // a veth never gets a VNI label
    expect(g.edges.filter((e) => e.kind === 'veth').every((e) => e.label === undefined)).toBe(true);
  });

  it('ends a tunnel whose remote is not shown on a dashed "remote" box, and marks a down end', () => {
    const g = toGraph([node('a', [{ name: 'vx0', kind: 'vxlan', state: 'DOWN', up: false, vxlan: { vni: 7, remote: '198.51.100.9' } }])]);
    expect(g.nodes.find((n) => n.kind === 'remote')).toMatchObject({ id: 'remote:198.51.100.9', label: 'remote VTEP 198.51.100.9' });
    expect(g.edges).toEqual([expect.objectContaining({ kind: 'vxlan', label: 'VNI 7', source: nsId('a'), target: 'remote:198.51.100.9', up: false })]);
  });

  it('draws RED ⇄ BLUE as two namespaces and one veth edge with addresses at each end', () => {
    const g = toGraph(redBlue());
    expect(g.nodes.map((n) => n.id).sort()).toEqual([nsId('blue'), nsId('red')]);
    expect(g.edges).toHaveLength(1);
    const [e] = g.edges;
    expect([e!.source, e!.target].sort()).toEqual([nsId('blue'), nsId('red')]);
    expect(e!.sourceLabel).toBe('veth-red\n10.0.0.1/24');
    expect(e!.targetLabel).toBe('veth-blue\n10.0.0.2/24');
    expect(e!.up).toBe(true);
  });

  it('ends an enslaved veth on its bridge, which sits inside its namespace', () => {
    const nodes = [
      node('red', [{ name: 'eth0', peer: 'veth-red', peerNetns: 'nslab-host', addresses: ['10.0.0.1/24'] }]),
      node('host', [
        { name: 'veth-red', peer: 'eth0', peerNetns: 'nslab-red', master: 'br0' },
        { name: 'br0', kind: 'bridge', addresses: ['10.0.0.254/24', 'fe80::1/64'] },
      ]),
    ];
    const g = toGraph(nodes);
    const br = g.nodes.find((n) => n.kind === 'bridge')!;
    expect(br).toMatchObject({ id: bridgeId('host', 'br0'), parent: nsId('host'), label: 'br0\n10.0.0.254/24' });
    expect(g.edges).toHaveLength(1);
    expect(g.edges[0]).toMatchObject({ source: nsId('red'), target: bridgeId('host', 'br0') });
  });

  it('adds the root namespace for a veth that leaves nslab, and a down link is marked down', () => {
    const g = toGraph([node('red', [{ name: 'veth0', peer: 'nslab-r0', peerNetns: null, state: 'DOWN', up: false }])], 'root');
    expect(g.nodes.find((n) => n.id === ROOT_ID)?.label).toBe('root');
    expect(g.edges[0]).toMatchObject({ target: ROOT_ID, up: false });
  });

  it('pairs both ends of a veth inside one namespace once', () => {
    const g = toGraph([node('x', [{ name: 'a', peer: 'b' }, { name: 'b', peer: 'a' }])]);
    expect(g.edges).toHaveLength(1);
  });
});

describe('defaultIf', () => {
  it('names a veth end after its node within IFNAMSIZ', () => {
    expect(defaultIf('red')).toBe('veth-red');
    expect(defaultIf('veth-red')).toBe('veth-red'); // the veth lab's node: no stutter
    expect(new TextEncoder().encode(defaultIf('a-very-long-node-name')).length).toBeLessThanOrEqual(15);
  });
});

describe('labelScale', () => {
  it('enlarges labels of a zoomed-out graph to at least MIN_LABEL_PX on screen, never shrinks, and is capped', () => {
    expect(labelScale(1)).toBe(1.1);
    expect(labelScale(2)).toBe(1);
    expect(10 * labelScale(0.6) * 0.6).toBeGreaterThanOrEqual(MIN_LABEL_PX - 1e-9);
    expect(labelScale(0.1)).toBe(2.2);
    expect(labelScale(0)).toBe(1);
  });
});
