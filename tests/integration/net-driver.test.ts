// Single network operations on the real kernel, each recorded in the ledger and reflected in the snapshot.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { NodeSnapshot, TopologySnapshot } from '../../electron/shared/contract/index.js';
import { markedNetns, nslab } from '../support/cli.js';
import { useHelper } from '../support/helper.js';

const fixture = useHelper();
const call = <T = Record<string, unknown>>(method: string, params: unknown): Promise<T> => fixture.helper.call<T>(method, params);
async function failure(method: string, params: unknown): Promise<{ message: string; data: { code: string; field?: string } }> {
  const reply = await fixture.helper.request(method, params);
  expect(reply.error, JSON.stringify(reply)).toBeDefined();
  return reply.error as never;
}
const node = async (name: string): Promise<NodeSnapshot> =>
  (await call<TopologySnapshot>('net.snapshot', { node: name })).nodes.find((n) => n.name === name)!;

describe('net driver', () => {
  it('builds RED⇄BLUE step by step, the way the notes do by hand', async () => {
    const activity: string[] = [];
    await call('events.subscribe', { events: ['activity'] });
    await call('net.netns.create', { node: 'red' });
    await call('net.netns.create', { node: 'blue' });
    expect((await failure('net.netns.create', { node: 'red' })).data.code).toBe('exists');

    await call('net.link.create', { node: 'red', name: 'veth-red', kind: 'veth', peer: { node: 'blue', name: 'veth-blue' } });
    await call('net.addr.add', { node: 'red', dev: 'veth-red', address: '10.0.0.1/24' });
    await call('net.addr.add', { node: 'blue', dev: 'veth-blue', address: '10.0.0.2/24' });
    await call('net.addr.add', { node: 'red', dev: 'veth-red', address: 'fd00::1/64' });
    await call('net.link.set', { node: 'red', name: 'veth-red', mtu: 1400 });
    await call('net.route.add', { node: 'red', to: 'default', via: '10.0.0.2' });
    await call('net.sysctl.set', { node: 'blue', key: 'ip_forward', value: 1 });
    await call('net.sysctl.set', { node: 'blue', key: 'rp_filter', value: 2 });

    for (const m of fixture.helper.messages) if (m.method === 'activity') activity.push(...((m.params as { shell: string[] }).shell));
    expect(activity).toEqual(
      expect.arrayContaining([
        'ip netns add nslab-red',
        'ip link add veth-red netns nslab-red type veth peer name veth-blue netns nslab-blue',
        'ip -n nslab-red addr add 10.0.0.1/24 dev veth-red',
        'ip -n nslab-red route replace default via 10.0.0.2',
      ]),
    );

    const red = await node('red');
    expect(red.links.find((l) => l.name === 'veth-red')).toMatchObject({
      kind: 'veth', mtu: 1400, up: true, peer: 'veth-blue', peerNetns: 'nslab-blue', addresses: ['10.0.0.1/24', 'fd00::1/64'],
    });
    expect(red.routes).toContainEqual(expect.objectContaining({ to: 'default', via: '10.0.0.2', dev: 'veth-red' }));
    const blue = await node('blue');
    expect(blue).toMatchObject({ forwarding: true, rpFilter: 2 });
    expect(spawnSync('ip', ['netns', 'exec', 'nslab-red', 'ping', '-c1', '-W2', '10.0.0.2']).status).toBe(0);
  });

  it('bridges, enslaves, brings links down and back up', async () => {
    await call('net.link.create', { node: 'blue', name: 'br0', kind: 'bridge' });
    await call('net.link.set', { node: 'blue', name: 'veth-blue', master: 'br0' });
    expect((await node('blue')).links.find((l) => l.name === 'veth-blue')!.master).toBe('br0');
    await call('net.link.set', { node: 'blue', name: 'veth-blue', master: null });
    expect((await node('blue')).links.find((l) => l.name === 'veth-blue')!.master).toBeUndefined();
    await call('net.link.set', { node: 'blue', name: 'br0', up: false });
    expect((await node('blue')).links.find((l) => l.name === 'br0')!.up).toBe(false);
    expect((await failure('net.link.set', { node: 'blue', name: 'veth-blue', master: 'nope0' })).data).toMatchObject({ code: 'not-found', field: 'master' });
  });

  it('makes macvlan and vxlan links', async () => {
    await call('net.link.create', { node: 'blue', name: 'mv0', kind: 'macvlan', parent: 'veth-blue', mode: 'bridge' });
    await call('net.link.create', { node: 'blue', name: 'vx0', kind: 'vxlan', vni: 42, dstport: 4789 });
    const kinds = Object.fromEntries((await node('blue')).links.map((l) => [l.name, l.kind]));
    expect(kinds).toMatchObject({ mv0: 'macvlan', vx0: 'vxlan' });
    await call('net.link.delete', { node: 'blue', name: 'mv0' });
    expect((await node('blue')).links.map((l) => l.name)).not.toContain('mv0');
  });

  it('reports kinds the kernel lacks as unsupported-kernel, matching doctor', async () => {
    const doctor = JSON.parse((await nslab(fixture.stateDir, ['doctor', '--json'])).stdout) as { linkKinds: Record<string, boolean> };
    for (const kind of ['dummy', 'ipvlan'] as const) {
      const params = kind === 'ipvlan' ? { node: 'blue', name: 'k0', kind, parent: 'veth-blue' } : { node: 'blue', name: 'k0', kind };
      const reply = await fixture.helper.request('net.link.create', params);
      if (doctor.linkKinds[kind]) {
        expect(reply.error).toBeUndefined();
        await call('net.link.delete', { node: 'blue', name: 'k0' });
      } else {
        expect((reply.error as { data: { code: string } }).data.code).toBe('unsupported-kernel');
        expect((reply.error as { message: string }).message).toMatch(new RegExp(kind));
      }
    }
    expect((await node('blue')).links.map((l) => l.name)).not.toContain('k0');
  });

  it('never changes what it did not create in the root namespace', async () => {
    const lo = await failure('net.link.set', { name: 'lo', up: false });
    expect(lo.data.code).toBe('permission-denied');
    expect((await failure('net.link.create', { name: 'plain0', kind: 'bridge' })).data).toMatchObject({ code: 'invalid-params', field: 'name' });
    expect((await failure('net.sysctl.set', { key: 'ip_forward', value: 1 })).data.code).toBe('permission-denied');
  });

  it('deletes namespaces and forgets their links', async () => {
    await call('net.netns.delete', { node: 'red' });
    await call('net.netns.delete', { node: 'blue' });
    expect(markedNetns()).toEqual([]);
    expect((await call<{ objects: unknown[] }>('ledger.list', {})).objects).toEqual([]);
    expect((await failure('net.netns.delete', { node: 'red' })).data.code).toBe('not-found');
  });
  it('reads a snapshot while namespaces come and go: one deleted mid-read is left out, not an error', async () => {
    // net.snapshot lists the marked namespaces, then reads each; a delete between the two (another request,
    // a topology being destroyed) used to fail the whole read with "Cannot open network namespace".
    await call('net.netns.create', { node: 'snap-keep' });
    const errors: string[] = [];
    let reads = 0;
    const churn = (async () => {
      for (let i = 0; i < 30; i++) {
        await call('net.netns.create', { node: `snap-c${i}` });
        await call('net.netns.delete', { node: `snap-c${i}` });
      }
    })();
    let done = false;
    void churn.finally(() => (done = true));
    const readers = Array.from({ length: 4 }, async () => {
      while (!done) {
        const reply = await fixture.helper.request('net.snapshot', {});
        reads++;
        if (reply.error) errors.push(JSON.stringify(reply.error));
        else expect((reply.result as TopologySnapshot).nodes.some((n) => n.name === 'snap-keep')).toBe(true);
      }
    });
    await Promise.all([churn, ...readers]);
    expect(reads).toBeGreaterThan(10);
    expect(errors).toEqual([]);
    await call('net.netns.delete', { node: 'snap-keep' });
  });
});
