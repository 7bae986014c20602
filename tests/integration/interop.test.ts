// `nslab import containerlab` on the real kernel: the linux/bridge part of a containerlab topology becomes
// nslab namespaces that really forward packets, and an nslab topology survives export → import. Every object
// is nslab-marked and removed; the kernel is compared before and after.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kernelState, nslab, nslabJson, tempStateDir } from '../support/cli.js';

const state = tempStateDir();
const work = mkdtempSync(join(tmpdir(), 'nslab-interop-'));
let before = '';
beforeAll(() => {
  before = kernelState();
});
afterAll(async () => {
  await nslab(state.dir, ['topo', 'destroy', 'mixed-lab']);
  await nslab(state.dir, ['topo', 'destroy', 'red-br0-blue']);
  await nslab(state.dir, ['topo', 'destroy', 'vxlan-overlay']);
  await nslab(state.dir, ['gc']);
  state.cleanup();
  rmSync(work, { recursive: true, force: true });
  expect(kernelState()).toBe(before);
});

describe('nslab import containerlab', () => {
  it('builds the linux and bridge nodes as namespaces and lists what it cannot carry', async () => {
    const r = await nslabJson<{ name: string; created: string[]; notCarried: string[] }>(state.dir, ['import', 'containerlab', 'tests/fixtures/containerlab/mixed.clab.yml', '--json']);
    expect(r.name).toBe('mixed-lab');
    expect(r.created.length).toBeGreaterThan(0);
    expect(r.notCarried.join('\n')).toMatch(/nokia_srlinux/);
    expect(r.notCarried.join('\n')).toMatch(/vxlan/);
    const netns = (await nslab(state.dir, ['exec', 'client1', '--', 'ip', '-br', 'addr'])).stdout;
    expect(netns).toMatch(/eth1@\S+\s+UP\s+192\.168\.77\.1\/24/);
    // client1 → bridge br-clab (in its own namespace) → client2 and the router
    for (const to of ['192.168.77.2', '192.168.77.254']) {
      const ping = await nslab(state.dir, ['exec', 'client1', '--', 'ping', '-c', '1', '-W', '2', to]);
      expect(ping.code, `${to}: ${ping.stdout}${ping.stderr}`).toBe(0);
    }
    expect((await nslab(state.dir, ['exec', 'client1', '--', 'ip', 'route'])).stdout).toMatch(/10\.77\.0\.0\/16 via 192\.168\.77\.254/);
    expect((await nslab(state.dir, ['exec', 'router', '--', 'cat', '/proc/sys/net/ipv4/ip_forward'])).stdout.trim()).toBe('1');
    expect((await nslab(state.dir, ['exec', 'client2', '--', 'cat', '/sys/class/net/eth1/mtu'])).stdout.trim()).toBe('1400');
    const gone = await nslab(state.dir, ['topo', 'destroy', 'mixed-lab']);
    expect(gone.code).toBe(0);
  });

  it('an exported nslab topology comes back and still pings', async () => {
    const file = join(work, 'red-br0-blue.clab.yml');
    const exp = await nslab(state.dir, ['export', 'containerlab', 'red-br0-blue', '-o', file]);
    expect(exp.code, exp.stderr).toBe(0);
    expect((parse(readFileSync(file, 'utf8')) as { topology: { nodes: Record<string, { kind: string }> } }).topology.nodes.br0?.kind).toBe('bridge');
    const r = await nslabJson<{ name: string }>(state.dir, ['import', 'containerlab', file, '--json']);
    expect(r.name).toBe('red-br0-blue');
    const ping = await nslab(state.dir, ['exec', 'red', '--', 'ping', '-c', '1', '-W', '2', '10.0.0.2']);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    expect((await nslab(state.dir, ['topo', 'destroy', 'red-br0-blue'])).code).toBe(0);
  });

  it('a vxlan link goes out as a containerlab vxlan link and comes back as a tunnel that still carries the ping', async () => {
    const file = join(work, 'vxlan-overlay.clab.yml');
    const exp = await nslab(state.dir, ['export', 'containerlab', 'vxlan-overlay', '-o', file]);
    expect(exp.code, exp.stderr).toBe(0);
    const links = (parse(readFileSync(file, 'utf8')) as { topology: { links: { type?: string; vni?: number }[] } }).topology.links;
    expect(links.filter((l) => l.type === 'vxlan').map((l) => l.vni)).toEqual([42, 42]);
    expect(exp.stderr).toMatch(/not carried: .*vxlan vtep1:vxlan0 \(VNI 42\)/);
    const r = await nslabJson<{ name: string; created: string[]; notCarried: string[] }>(state.dir, ['import', 'containerlab', file, '--json']);
    expect(r.created).toEqual(expect.arrayContaining(['link nslab-vtep1/vxlan0', 'link nslab-vtep2/vxlan0']));
    expect(r.notCarried.join('\n')).toMatch(/vxlan link vtep1:vxlan0 \(VNI 42\) is carried as a vxlan in node vtep1, but not its underlay/);
    // no dev on the way back: the kernel finds the underlay from the route to the remote, over eth0
    const ping = await nslab(state.dir, ['exec', 'vtep1', '--', 'ping', '-c', '1', '-W', '2', '10.42.0.2']);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    expect((await nslab(state.dir, ['exec', 'vtep1', '--', 'ip', '-d', 'link', 'show', 'vxlan0'])).stdout).toMatch(/vxlan id 42 remote 192\.0\.2\.2/);
    expect((await nslab(state.dir, ['topo', 'destroy', 'vxlan-overlay'])).code).toBe(0);
  });

  it('nslab export kind writes the kind config and manifests', async () => {
    const dir = join(work, 'kind');
    const r = await nslabJson<{ config: string; manifests: string; notCarried: string[] }>(state.dir, ['export', 'kind', 'netns-bridge', '-o', dir, '--json']);
    expect((parse(readFileSync(r.config, 'utf8')) as { networking: { disableDefaultCNI: boolean } }).networking.disableDefaultCNI).toBe(true);
    expect(readFileSync(r.manifests, 'utf8')).toMatch(/kind: DaemonSet/);
    expect(r.notCarried.length).toBeGreaterThan(0);
  });

  it('a file that is not a containerlab topology is a typed error that builds nothing', async () => {
    const r = await nslab(state.dir, ['import', 'containerlab', 'resources/topologies/red-blue.yaml', '--json']);
    expect(r.code).toBe(2);
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('invalid-params');
    const missing = await nslab(state.dir, ['export', 'containerlab', 'no-such-topology']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not-found: no-such-topology is neither a file nor a shipped topology or lab/);
  });
});
