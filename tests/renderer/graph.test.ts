import { describe, expect, it } from 'vitest';
import { MIN_LABEL_PX, ROOT_ID, bridgeId, labelScale, nsId, toGraph } from '../../renderer/src/panels/Topology/graph';
import { defaultIf } from '../../renderer/src/panels/Topology/naming';
import { node, redBlue } from './fake-api';

describe('toGraph', () => {
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
