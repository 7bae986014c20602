// nslab → containerlab → nslab: every shipped topology and every lab with a network exports to a file that
// containerlab's own JSON schema accepts; import carries linux/bridge/veth/exec and lists everything else.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { clabFileText, topologyToClab } from '../../electron/interop/containerlab-export.js';
import { clabToTopology } from '../../electron/interop/containerlab-import.js';
import { labToKind } from '../../electron/interop/kind-export.js';
import { loadExportSource } from '../../electron/interop/source.js';
import { parseTopology } from '../../electron/helper/topology/load.js';
import { planTopology } from '../../electron/helper/topology/plan.js';
import { linkInterfaces } from '../../electron/shared/contract/topology-spec.js';

// containerlab's published schema lives next to the repository (../shared/reference/containerlab, not copied
// in by request of its README); $NSLAB_CLAB_SCHEMA points elsewhere.
const schemaFile = [process.env.NSLAB_CLAB_SCHEMA, resolve('..', 'shared/reference/containerlab/clab.schema.json'), '/work/shared/reference/containerlab/clab.schema.json'].find(
  (p): p is string => !!p && existsSync(p),
);
if (!schemaFile) throw new Error('containerlab schema not found: set NSLAB_CLAB_SCHEMA to clab.schema.json (srl-labs/containerlab schemas/)');
const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { $schema: string };
const ajv = new Ajv({ allErrors: true, unknownFormats: 'ignore', schemaId: 'auto' });
const validate = ajv.compile(schema);
const valid = (doc: unknown): string => (validate(doc) ? '' : ajv.errorsText(validate.errors));

const sources = [
  ...readdirSync('resources/topologies').map((f) => f.replace(/\.yaml$/, '')),
  ...readdirSync('resources/labs')
    .map((f) => f.replace(/\.yaml$/, ''))
    .filter((id) => /^topology:/m.test(readFileSync(join('resources/labs', `${id}.yaml`), 'utf8'))),
];

describe('nslab export containerlab', () => {
  it('the schema is draft-07, which ajv 6 validates', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(valid({ name: 'x', topology: { nodes: { a: { kind: 'no-such-kind' } } } })).not.toBe(''); // the validator can fail
  });

  it.each(sources)('%s exports to a schema-valid .clab.yml', (id) => {
    const src = loadExportSource(id);
    const out = topologyToClab(src.topology, [...src.notCarried]);
    const text = clabFileText(out, stringify(out.clab), `${src.kind} ${id}`);
    expect(valid(parse(text))).toBe('');
    expect(Object.values(out.clab.topology.nodes).every((n) => n.kind === 'linux' ? n.image === 'alpine:3.20' : n.kind === 'bridge')).toBe(true);
  });

  it('red-br0-blue: linux nodes with exec addresses, br0 as a bridge node, veth links to it, host setup in the header', () => {
    const out = topologyToClab(loadExportSource('red-br0-blue').topology);
    expect(out.clab.topology.nodes).toEqual({
      red: { kind: 'linux', image: 'alpine:3.20', exec: ['ip addr add 10.0.0.1/24 dev eth0'], labels: { 'nslab.node': 'red' } },
      blue: { kind: 'linux', image: 'alpine:3.20', exec: ['ip addr add 10.0.0.2/24 dev eth0'], labels: { 'nslab.node': 'blue' } },
      br0: { kind: 'bridge', labels: { 'nslab.bridge': 'host/br0' } },
    });
    expect(out.clab.topology.links).toEqual([{ endpoints: ['red:eth0', 'br0:veth-red'] }, { endpoints: ['blue:eth0', 'br0:veth-blue'] }]);
    expect(out.hostSetup).toEqual(['ip link add br0 type bridge', 'ip link set br0 up', 'ip addr add 10.0.0.254/24 dev br0']);
  });

  it('routes, forwarding, rp_filter and MTU become exec steps, routes after addresses', () => {
    const spec = parseTopology(
      stringify({
        name: 'routed',
        nodes: [{ name: 'a', routes: [{ to: 'default', via: '10.1.0.2' }] }, { name: 'r', forwarding: true, rpFilter: 2 }],
        links: [{ endpoints: [{ node: 'a', name: 'eth0', addresses: ['10.1.0.1/24'], mtu: 1400 }, { node: 'r', name: 'eth0', addresses: ['10.1.0.2/24'] }] }],
      }),
    );
    const out = topologyToClab(spec);
    expect(out.clab.topology.nodes.a?.exec).toEqual(['ip link set eth0 mtu 1400', 'ip addr add 10.1.0.1/24 dev eth0', 'ip route add default via 10.1.0.2']);
    expect(out.clab.topology.nodes.r?.exec).toEqual(['sysctl -w net.ipv4.ip_forward=1', 'sysctl -w net.ipv6.conf.all.forwarding=1', 'sysctl -w net.ipv4.conf.all.rp_filter=2', 'ip addr add 10.1.0.2/24 dev eth0']);
    expect(valid(out.clab)).toBe('');
  });

  it('vxlan-overlay: each vxlan link becomes a containerlab vxlan link, its addresses exec steps, its underlay listed', () => {
    const out = topologyToClab(loadExportSource('vxlan-overlay').topology);
    expect(out.clab.topology.links?.filter((l) => 'type' in l)).toEqual([
      { type: 'vxlan', endpoint: { node: 'vtep1', interface: 'vxlan0' }, remote: '192.0.2.2', vni: 42, 'dst-port': 4789 },
      { type: 'vxlan', endpoint: { node: 'vtep2', interface: 'vxlan0' }, remote: '192.0.2.1', vni: 42, 'dst-port': 4789 },
    ]);
    expect(out.clab.topology.nodes.vtep1?.exec).toEqual(['ip addr add 192.0.2.1/24 dev eth0', 'ip addr add 10.42.0.1/24 dev vxlan0']);
    expect(out.notCarried.join('\n')).toMatch(/vxlan vtep1:vxlan0 \(VNI 42\): containerlab runs the tunnel from the containerlab host's own underlay, not dev eth0, local 192.0.2.1 inside the node/);
    expect(valid(out.clab)).toBe('');
    // the schema does check vxlan links: a VNI out of range or a missing remote is refused
    const broken = (patch: Record<string, unknown>) => ({ ...out.clab, topology: { ...out.clab.topology, links: [{ ...out.clab.topology.links![2], ...patch }] } });
    expect(valid(broken({ vni: 0 }))).not.toBe('');
    expect(valid(broken({ remote: undefined }))).not.toBe('');
  });

  it('a lab says what it leaves behind (steps, cgroups)', () => {
    const src = loadExportSource('netns-bridge');
    expect(src.kind).toBe('lab');
    expect(src.notCarried.some((c) => c.includes('steps'))).toBe(true);
    expect(() => loadExportSource('no-such-thing')).toThrow(/neither a file nor a shipped/);
  });
});

describe('nslab import containerlab', () => {
  it('carries linux, bridge, veth and the exec steps it understands; lists the rest', () => {
    const { topology, notCarried } = clabToTopology(readFileSync('tests/fixtures/containerlab/mixed.clab.yml', 'utf8'), 'mixed.clab.yml');
    const spec = parseTopology(stringify(topology)); // the result is a valid nslab topology
    expect(spec.nodes.map((n) => n.name)).toEqual(['client1', 'client2', 'router', 'br-clab']);
    expect(spec.nodes.find((n) => n.name === 'br-clab')?.bridges.map((b) => b.name)).toEqual(['br-clab']);
    expect(spec.nodes.find((n) => n.name === 'router')?.forwarding).toBe(true);
    expect(spec.nodes.find((n) => n.name === 'client1')?.routes).toEqual([{ to: '10.77.0.0/16', via: '192.168.77.254' }]);
    expect(spec.links).toHaveLength(4);
    expect(spec.links[3]).toEqual({ kind: 'vxlan', node: 'router', name: 'vx0', vni: 100, remote: '172.20.0.9', dstport: 4789, addresses: [] });
    expect(notCarried.find((c) => c.includes('vxlan link router:vx0'))).toMatch(/carried as a vxlan in node router, but not its underlay/);
    expect(spec.links[1]?.kind === 'veth' && spec.links[1].endpoints).toEqual([
      { node: 'client2', name: 'eth1', addresses: ['192.168.77.2/24'], mtu: 1400 },
      { node: 'br-clab', name: 'eth2', addresses: [], master: 'br-clab' },
    ]);
    const text = notCarried.join('\n');
    for (const what of ['mgmt', 'srl: kind nokia_srlinux', 'router:eth2 — srl:e1-1', 'host endpoints', 'vxlan link', 'binds', 'apk add tcpdump', 'image frrouting/frr:latest'])
      expect(text, what).toContain(what);
    expect(planTopology(spec).namespaces).toEqual(['nslab-client1', 'nslab-client2', 'nslab-router', 'nslab-br-clab']);
  });

  it.each(sources)('%s survives export then import with the same addresses and links', (id) => {
    const src = loadExportSource(id);
    const out = topologyToClab(src.topology);
    const back = parseTopology(stringify(clabToTopology(stringify(out.clab)).topology));
    const addrs = (s: typeof back) => linkInterfaces(s.links).flatMap((e) => e.addresses).sort();
    expect(addrs(back)).toEqual(addrs(src.topology).filter(() => true));
    expect(back.links).toHaveLength(src.topology.links.length);
    // tunnels keep their node, name, VNI, remote and port (the underlay dev is containerlab's host's)
    const tunnels = (s: typeof back) => s.links.flatMap((l) => (l.kind === 'vxlan' ? [`${l.node}:${l.name} ${l.vni} ${l.remote}:${l.dstport}`] : []));
    expect(tunnels(back)).toEqual(tunnels(src.topology));
  });

  it('refuses what is not a containerlab topology, with a typed error', () => {
    expect(() => clabToTopology('just: [text', 'x.yml')).toThrow(/not YAML/);
    expect(() => clabToTopology('name: x\n', 'x.yml')).toThrow(/needs name \(string\) and topology/);
  });
});

describe('nslab export kind', () => {
  it('writes a kind config with the default CNI off and manifests for the bridge CNI plus one pod per lab node', () => {
    const src = loadExportSource('netns-bridge');
    const out = labToKind(src.id, src.topology);
    const config = parse(out.config) as { kind: string; apiVersion: string; networking: { disableDefaultCNI: boolean; podSubnet: string }; nodes: { role: string }[] };
    expect(config).toMatchObject({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', networking: { disableDefaultCNI: true } });
    expect(config.nodes[0]?.role).toBe('control-plane');
    const docs = out.manifests.split(/^---$/m).map((d) => parse(d) as { kind: string; metadata: { name: string }; data?: Record<string, string> });
    expect(docs.map((d) => d.kind)).toEqual(expect.arrayContaining(['ConfigMap', 'DaemonSet', 'Pod']));
    const cni = JSON.parse(docs.find((d) => d.kind === 'ConfigMap')!.data!['10-nslab.conflist']!) as { plugins: { type: string; bridge?: string }[] };
    expect(cni.plugins[0]).toMatchObject({ type: 'bridge' });
    const pods = docs.filter((d) => d.kind === 'Pod').map((d) => d.metadata.name);
    expect(pods.length).toBeGreaterThanOrEqual(2);
    expect(config.networking.podSubnet).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
  });
});
