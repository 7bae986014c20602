import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../electron/helper/topology/load.js';
import { nodeLines, planTopology, rootLines, sysctlAssignments } from '../../electron/helper/topology/plan.js';

const shipped = (name: string): string => readFileSync(join(import.meta.dirname, '../../resources/topologies', `${name}.yaml`), 'utf8');

describe('shipped topologies', () => {
  it('red-br0-blue plans one root batch and a batch per node', () => {
    const spec = parseTopology(shipped('red-br0-blue'));
    const plan = planTopology(spec);
    expect(plan.namespaces).toEqual(['nslab-red', 'nslab-blue', 'nslab-host']);
    expect(rootLines(plan.namespaces, plan.veths)).toEqual([
      ['netns', 'add', 'nslab-red'],
      ['netns', 'add', 'nslab-blue'],
      ['netns', 'add', 'nslab-host'],
      ['link', 'add', 'eth0', 'netns', 'nslab-red', 'type', 'veth', 'peer', 'name', 'veth-red', 'netns', 'nslab-host'],
      ['link', 'add', 'eth0', 'netns', 'nslab-blue', 'type', 'veth', 'peer', 'name', 'veth-blue', 'netns', 'nslab-host'],
    ]);
    const host = spec.nodes.find((n) => n.name === 'host')!;
    expect(nodeLines(spec, host, new Set(['br0'])).map((l) => l.join(' '))).toEqual([
      'link add br0 type bridge',
      'link set veth-red master br0',
      'link set veth-blue master br0',
      'addr replace 10.0.0.254/24 dev br0',
      'link set lo up',
      'link set br0 up',
      'link set veth-red up',
      'link set veth-blue up',
    ]);
    // a re-apply does not add the bridge again
    expect(nodeLines(spec, host, new Set()).some((l) => l.includes('add') && l.includes('bridge'))).toBe(false);
  });

  it('red-blue has nodes red and blue joined by one veth', () => {
    const spec = parseTopology(shipped('red-blue'));
    expect(spec.nodes.map((n) => n.name)).toEqual(['red', 'blue']);
    expect(planTopology(spec).veths).toEqual([{ netns: 'nslab-red', name: 'veth-red', peer: { netns: 'nslab-blue', name: 'veth-blue' } }]);
  });
});

describe('plan details', () => {
  const yaml = `name: t
nodes:
  - name: r
    forwarding: true
    rpFilter: 2
    routes: [{ to: default, via: 10.0.0.2 }, { to: fd01::/64, dev: e0 }]
  - name: s
links:
  - endpoints:
      - { node: r, name: e0, addresses: [10.0.0.1/24, fd00::1/64], mtu: 1400 }
      - { node: s, name: e0 }
`;
  it('orders MTU and addresses before up, routes last', () => {
    const spec = parseTopology(yaml);
    const lines = nodeLines(spec, spec.nodes[0]!, new Set()).map((l) => l.join(' '));
    expect(lines).toEqual([
      'link set e0 mtu 1400',
      'addr replace 10.0.0.1/24 dev e0',
      'addr replace fd00::1/64 dev e0',
      'link set lo up',
      'link set e0 up',
      'route replace default via 10.0.0.2',
      'route replace fd01::/64 dev e0',
    ]);
  });
  it('sets forwarding and rp_filter only when asked, and resets forwarding on re-apply', () => {
    const spec = parseTopology(yaml);
    expect(sysctlAssignments(spec.nodes[0]!, false)).toEqual([
      'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1', 'net.ipv4.conf.all.rp_filter=2', 'net.ipv4.conf.default.rp_filter=2',
    ]);
    expect(sysctlAssignments(spec.nodes[1]!, false)).toEqual([]);
    expect(sysctlAssignments(spec.nodes[1]!, true)).toEqual(['net.ipv4.ip_forward=0', 'net.ipv6.conf.all.forwarding=0']);
  });
});

describe('validation', () => {
  const bad = (yaml: string) => {
    try {
      parseTopology(yaml, 'f.yaml');
    } catch (err) {
      return err as { code: string; message: string; data: Record<string, unknown> };
    }
    throw new Error('accepted');
  };
  it('refuses duplicate nodes and interfaces', () => {
    expect(bad('name: t\nnodes:\n  - name: a\n  - name: a\n').data).toMatchObject({ field: 'nodes.1.name', line: 4 });
    const dup = bad('name: t\nnodes:\n  - name: a\n    bridges: [{ name: x }]\n  - name: b\nlinks:\n  - endpoints:\n      - { node: a, name: x }\n      - { node: b, name: y }\n');
    expect(dup.data.field).toBe('links.0.endpoints.0.name');
  });
  it('refuses a master that is not a bridge of the node', () => {
    expect(bad('name: t\nnodes:\n  - name: a\n  - name: b\nlinks:\n  - endpoints:\n      - { node: a, name: x, master: br9 }\n      - { node: b, name: y }\n').data.field).toBe('links.0.endpoints.0.master');
  });
  it('refuses unknown fields and names the line', () => {
    const e = bad('name: t\nnodes:\n  - name: a\n    colour: red\n');
    expect(e.code).toBe('invalid-params');
    // the line of the unknown key itself, named with what is allowed there
    expect(e.data.line).toBe(4);
    expect(e.data.field).toBe('nodes.0.colour');
    expect(e.message).toMatch(/unknown key 'colour'; allowed here: name, /);
  });
  it('needs at least one node', () => expect(bad('name: t\nnodes: []\n').data.field).toBe('nodes'));
});
