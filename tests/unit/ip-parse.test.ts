// Parsers fed with real `ip -j -d -batch` output captured from the red-br0-blue topology.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonSequence } from '../../electron/helper/net/ip.js';
import { parseLinks, parseNetconf, parseNetnsList, parseNsids, parseRoutes } from '../../electron/helper/net/parse.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../fixtures/ip', name), 'utf8');
const batch = (name: string) => {
  const [addrs, routes, netconf, nsids] = parseJsonSequence(fixture(name));
  return { addrs, routes, netconf, nsids };
};

describe('parseJsonSequence', () => {
  it('splits concatenated documents, whatever the whitespace, honouring strings', () => {
    expect(parseJsonSequence('[1][{"a":"]["}]\n[]\n\n{"b":[2]}')).toEqual([[1], [{ a: '][' }], [], { b: [2] }]);
    expect(parseJsonSequence('[{"s":"q\\"]"}]')).toEqual([[{ s: 'q"]' }]]);
  });
  it('reads the four documents of a namespace batch', () => {
    expect(parseJsonSequence(fixture('host-batch.json'))).toHaveLength(4);
  });
});

describe('host namespace (bridge + two veths)', () => {
  const b = batch('host-batch.json');
  const nsids = parseNsids(b.nsids);
  const { links, pending } = parseLinks(b.addrs, nsids);

  it('finds the bridge with its address and the enslaved veths', () => {
    expect(links.find((l) => l.name === 'br0')).toMatchObject({ kind: 'bridge', addresses: ['10.0.0.254/24'], up: true });
    for (const v of ['veth-red', 'veth-blue']) expect(links.find((l) => l.name === v)).toMatchObject({ kind: 'veth', master: 'br0' });
  });
  it('resolves each veth peer namespace by nsid, leaving the peer name for the snapshot pass', () => {
    expect(pending.map((p) => p.peerNetns).sort()).toEqual(['nslab-blue', 'nslab-red']);
    expect(links.find((l) => l.name === 'lo')).toMatchObject({ kind: 'loopback', mac: null, addresses: ['127.0.0.1/8', '::1/128'] });
  });
  it('drops IPv6 link-local addresses', () => {
    expect(links.flatMap((l) => l.addresses).some((a) => a.startsWith('fe80'))).toBe(false);
  });
  it('reads forwarding and rp_filter from netconf', () => {
    expect(parseNetconf(b.netconf)).toEqual({ forwarding: false, forwardingV6: false, rpFilter: 0 });
  });
});

describe('red namespace with a default route and an IPv6 address', () => {
  const b = batch('red-batch-default-route.json');
  it('keeps main-table unicast routes of both families', () => {
    const routes = parseRoutes(b.routes);
    expect(routes).toContainEqual(expect.objectContaining({ to: 'default', via: '10.0.0.254', dev: 'eth0', family: 'inet' }));
    expect(routes).toContainEqual(expect.objectContaining({ to: '10.0.0.0/24', dev: 'eth0', scope: 'link' }));
    expect(routes).toContainEqual(expect.objectContaining({ to: 'fd00::/64', family: 'inet6' }));
    expect(routes.some((r) => r.to.startsWith('127.'))).toBe(false); // local table dropped
  });
  it('lists both address families on eth0', () => {
    const { links } = parseLinks(b.addrs, parseNsids(b.nsids));
    expect(links.find((l) => l.name === 'eth0')!.addresses).toEqual(['10.0.0.1/24', 'fd00::1/64']);
  });
});

describe('misc', () => {
  it('lists namespaces', () => expect(parseNetnsList(JSON.parse(fixture('netns-list.json')))).toEqual(['nslab-host', 'nslab-blue', 'nslab-red']));
  it('maps rp_filter words to numbers', () => {
    expect(parseNetconf([{ family: 'inet', interface: 'all', forwarding: true, rp_filter: 'loose' }]).rpFilter).toBe(2);
    expect(parseNetconf([]).rpFilter).toBeNull();
  });
});

describe('vtep1 of vxlan-overlay (a vxlan over eth0)', () => {
  const b = batch('vtep1-vxlan-batch.json');
  const { links } = parseLinks(b.addrs, parseNsids(b.nsids));
  it('reads the tunnel: VNI, remote, local, port and underlay dev from linkinfo', () => {
    expect(links.find((l) => l.name === 'vxlan0')).toMatchObject({
      kind: 'vxlan',
      mtu: 1450,
      addresses: ['10.42.0.1/24'],
      vxlan: { vni: 42, remote: '192.0.2.2', local: '192.0.2.1', dstport: 4789, dev: 'eth0' },
    });
    // only a vxlan carries tunnel details
    expect(links.filter((l) => l.vxlan).map((l) => l.name)).toEqual(['vxlan0']);
  });
});
