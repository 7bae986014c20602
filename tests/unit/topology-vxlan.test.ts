// vxlan links in the topology format: what the shipped vxlan-overlay plans, and every bad field refused
// with a typed error that names it (before anything is built).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTopology, validateTopology } from '../../electron/helper/topology/load.js';
import { ledgerObjects, nodeLines, planTopology, rootLines } from '../../electron/helper/topology/plan.js';

const shipped = readFileSync(join(import.meta.dirname, '../../resources/topologies/vxlan-overlay.yaml'), 'utf8');

describe('vxlan-overlay (shipped)', () => {
  const spec = parseTopology(shipped);
  const plan = planTopology(spec);

  it('plans the underlay veths in the root batch and one tunnel end per host, recorded as links', () => {
    expect(plan.veths.map((v) => `${v.netns}/${v.name}`)).toEqual(['nslab-vtep1/eth0', 'nslab-vtep2/eth0']);
    expect(plan.vxlans).toEqual([
      { netns: 'nslab-vtep1', name: 'vxlan0' },
      { netns: 'nslab-vtep2', name: 'vxlan0' },
    ]);
    expect(rootLines(plan.namespaces, plan.veths).some((l) => l.includes('vxlan'))).toBe(false);
    expect(ledgerObjects(plan.owner, [], plan.vxlans)).toEqual([
      { kind: 'link', netns: 'nslab-vtep1', name: 'vxlan0', owner: 'topology:vxlan-overlay' },
      { kind: 'link', netns: 'nslab-vtep2', name: 'vxlan0', owner: 'topology:vxlan-overlay' },
    ]);
  });

  it('adds the tunnel inside its node with the default port, addresses it and brings it up', () => {
    const vtep1 = spec.nodes.find((n) => n.name === 'vtep1')!;
    expect(nodeLines(spec, vtep1, new Set(['vxlan0'])).map((l) => l.join(' '))).toEqual([
      'link add vxlan0 type vxlan id 42 remote 192.0.2.2 local 192.0.2.1 dstport 4789 dev eth0',
      'addr replace 192.0.2.1/24 dev eth0',
      'addr replace 10.42.0.1/24 dev vxlan0',
      'link set lo up',
      'link set eth0 up',
      'link set vxlan0 up',
    ]);
    // a re-apply that finds vxlan0 in place does not add it again
    expect(nodeLines(spec, vtep1, new Set()).some((l) => l.includes('vxlan'))).toBe(false);
  });

  it('previews the tunnels apart from the veth pairs', () => {
    const r = validateTopology(shipped);
    expect(r.preview?.links).toHaveLength(2);
    expect(r.preview?.vxlans).toEqual([
      { node: 'vtep1', name: 'vxlan0', addresses: ['10.42.0.1/24'], vni: 42, remote: '192.0.2.2', dstport: 4789, dev: 'eth0' },
      { node: 'vtep2', name: 'vxlan0', addresses: ['10.42.0.2/24'], vni: 42, remote: '192.0.2.1', dstport: 4789, dev: 'eth0' },
    ]);
  });

  it('enslaves a tunnel to a bridge of its node after the bridge is made', () => {
    const s = parseTopology(
      'name: t\nnodes:\n  - name: a\n    bridges: [{ name: br0 }]\nlinks:\n  - { kind: vxlan, node: a, name: vx0, vni: 7, remote: 10.0.0.2, dstport: 8472, master: br0, mtu: 1400 }\n',
    );
    expect(nodeLines(s, s.nodes[0]!, new Set(['br0', 'vx0'])).slice(0, 4).map((l) => l.join(' '))).toEqual([
      'link add br0 type bridge',
      'link add vx0 type vxlan id 7 remote 10.0.0.2 dstport 8472',
      'link set vx0 mtu 1400',
      'link set vx0 master br0',
    ]);
  });
});

describe('vxlan validation', () => {
  const topo = (link: string, extraNode = ''): string => `name: t\nnodes:\n  - name: a\n${extraNode}links:\n  - endpoints:\n      - { node: a, name: eth0 }\n      - { node: a, name: eth1 }\n  - { kind: vxlan, node: a, name: vx0, remote: 10.0.0.2, ${link} }\n`;
  const refusal = (yaml: string) => {
    const r = validateTopology(yaml);
    expect(r.valid, yaml).toBe(false);
    expect(() => parseTopology(yaml, 'f.yaml')).toThrow(expect.objectContaining({ code: 'invalid-params' }) as Error);
    return r.errors[0]!;
  };

  it('accepts a good tunnel, with dstport 4789 by default', () => {
    const spec = parseTopology(topo('vni: 1, dev: eth0'));
    expect(spec.links[1]).toMatchObject({ kind: 'vxlan', vni: 1, dstport: 4789 });
    expect(parseTopology(topo('vni: 16777215')).links[1]).toMatchObject({ vni: 16777215 });
  });

  it.each([
    ['vni: 0', 'links.1.vni', /vni must be 1\.\.16777215/],
    ['vni: 16777216', 'links.1.vni', /vni must be 1\.\.16777215/],
    ['vni: 4.5', 'links.1.vni', /whole number/],
    ['vni: 5, dstport: 0', 'links.1.dstport', /dstport must be 1\.\.65535/],
    ['vni: 5, dstport: 65536', 'links.1.dstport', /dstport must be 1\.\.65535/],
    ['vni: 5, dev: eth9', 'links.1.dev', /underlay dev 'eth9' is not an interface of node 'a'/],
    ['vni: 5, dev: vx0', 'links.1.dev', /underlay dev 'vx0'/],
    ['vni: 5, local: fd00::1', 'links.1.local', /both be IPv4 or both IPv6/],
    ['vni: 5, master: br9', 'links.1.master', /bridge 'br9' is not defined in node 'a'/],
  ])('refuses %s at %s', (fields, field, message) => {
    const e = refusal(topo(fields));
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
    expect(e.line).toBe(8);
  });

  it('refuses a missing vni, an unknown node, a name over 15 bytes, a name taken in the node and an unknown kind', () => {
    expect(refusal(topo('dstport: 4789')).field).toBe('links.1.vni');
    expect(refusal('name: t\nnodes:\n  - name: a\nlinks:\n  - { kind: vxlan, node: b, name: vx0, vni: 5, remote: 10.0.0.2 }\n')).toMatchObject({
      field: 'links.0.node',
      message: expect.stringMatching(/node 'b' is not defined in nodes/) as string,
    });
    expect(refusal('name: t\nnodes:\n  - name: a\nlinks:\n  - { kind: vxlan, node: a, name: vxlan-much-too-long, vni: 5, remote: 10.0.0.2 }\n')).toMatchObject({
      field: 'links.0.name',
      message: expect.stringMatching(/at most 15 bytes/) as string,
    });
    expect(refusal('name: t\nnodes:\n  - name: a\n    bridges: [{ name: vx0 }]\nlinks:\n  - { kind: vxlan, node: a, name: vx0, vni: 5, remote: 10.0.0.2 }\n')).toMatchObject({
      field: 'links.0.name',
    });
    expect(refusal('name: t\nnodes:\n  - name: a\nlinks:\n  - { kind: gre, node: a, name: g0 }\n')).toMatchObject({
      field: 'links.0.kind',
      message: expect.stringMatching(/link kind must be one of veth, vxlan/) as string,
    });
    expect(refusal('name: t\nnodes:\n  - name: a\nlinks:\n  - { kind: vxlan, node: a, name: vx0, vni: 5, remote: nowhere }\n').field).toBe('links.0.remote');
  });
});
