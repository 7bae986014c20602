// The page's node-scoped route and sysctl methods: the sysctl allowlist (names and values) and the gate
// that refuses the root namespace and any namespace nslab has no record of, before anything runs.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { methods } from '../../electron/shared/contract/index.js';
import { parseNodeSysctl, sysctlPath } from '../../electron/shared/sysctl.js';
import type { HelperContext } from '../../electron/helper/context.js';

const spawned: string[][] = [];
const present = { netns: ['nslab-owned', 'nslab-stray'] };
vi.mock('../../electron/helper/exec/run.js', () => ({ run: vi.fn(async (argv: string[]) => (spawned.push(argv), { stdout: '', stderr: '', code: 0 })) }));
vi.mock('../../electron/helper/net/ip.js', () => ({
  ipJson: vi.fn(async () => [{ ifname: 'lo' }, { ifname: 'veth0' }, { ifname: 'eth0.100' }]),
  ipBatch: vi.fn(async (_ns: string | null, lines: string[][]) => void spawned.push(...lines)),
}));
vi.mock('../../electron/helper/net/snapshot.js', () => ({ listNetns: vi.fn(async () => present.netns) }));

const { nodeRoute, nodeSysctl } = await import('../../electron/helper/net/node-scope.js');

const ctx = {
  ledger: { has: (o: { kind: string; name: string }) => o.kind === 'netns' && (o.name === 'nslab-owned' || o.name === 'nslab-gone') },
  bus: { emit: () => undefined },
} as unknown as HelperContext;

const sysctlParams = methods['net.node.sysctl.set'].params;
const routeParams = methods['net.node.route.add'].params;
const issue = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => r.error?.issues[0];

beforeEach(() => void spawned.splice(0));

describe('the sysctl allowlist', () => {
  it.each([
    ['net.ipv4.ip_forward', 'ip_forward', null, 1],
    ['net.ipv4.conf.all.rp_filter', 'rp_filter', 'all', 2],
    ['net.ipv4.conf.default.rp_filter', 'rp_filter', 'default', 2],
    ['net.ipv4.conf.veth0.rp_filter', 'rp_filter', 'veth0', 2],
    ['net.ipv4.conf.all.forwarding', 'forwarding', 'all', 1],
    ['net.ipv4.conf.eth0.100.forwarding', 'forwarding', 'eth0.100', 1],
  ])('allows %s', (name, knob, scope, max) => {
    expect(parseNodeSysctl(name)).toEqual({ name, knob, scope, max });
    expect(sysctlParams.safeParse({ node: 'r', name, value: max }).success).toBe(true);
  });

  it.each(['kernel.core_pattern', 'net.ipv4.conf.all.accept_redirects', 'net.ipv6.conf.all.forwarding', 'net.ipv4.ip_forward ', 'net.ipv4.conf..rp_filter', 'net.ipv4.conf.a/b.rp_filter', 'net.ipv4.conf.-x.rp_filter', 'net.ipv4.conf.waytoolonginterface.rp_filter'])(
    'refuses %s, naming the field and what is allowed',
    (name) => {
      const r = sysctlParams.safeParse({ node: 'r', name, value: 1 });
      expect(r.success).toBe(false);
      expect(issue(r)!.path).toEqual(['name']);
      expect(issue(r)!.message).toMatch(/allowed: net\.ipv4\.ip_forward|neither all, default nor a valid interface name/);
    },
  );

  it('refuses values outside what the knob takes, saying what they mean', () => {
    const bad = (name: string, value: number) => issue(sysctlParams.safeParse({ node: 'r', name, value }));
    expect(bad('net.ipv4.conf.all.rp_filter', 3)).toMatchObject({ path: ['value'], message: 'rp_filter is 0 (off), 1 (strict) or 2 (loose)' });
    expect(bad('net.ipv4.ip_forward', 2)).toMatchObject({ path: ['value'], message: 'ip_forward is 0 (off) or 1 (on)' });
    expect(bad('net.ipv4.ip_forward', -1)).toMatchObject({ path: ['value'] });
    expect(bad('net.ipv4.ip_forward', 0.5)).toMatchObject({ path: ['value'] });
  });

  it('writes a dotted interface name in sysctl’s slash notation', () => {
    expect(sysctlPath(parseNodeSysctl('net.ipv4.conf.eth0.100.rp_filter') as never)).toBe('net/ipv4/conf/eth0.100/rp_filter');
    expect(sysctlPath(parseNodeSysctl('net.ipv4.conf.veth0.rp_filter') as never)).toBe('net.ipv4.conf.veth0.rp_filter');
  });

  it('a route needs a gateway or a device', () => {
    expect(issue(routeParams.safeParse({ node: 'r', to: 'default' }))).toMatchObject({ path: ['via'], message: 'a route needs via (a gateway) or dev (an interface)' });
    expect(routeParams.safeParse({ node: 'r', to: 'default', via: '10.0.0.1' }).success).toBe(true);
    expect(issue(routeParams.safeParse({ node: 'r', to: 'everywhere', dev: 'veth0' }))!.path).toEqual(['to']);
  });
});

describe('the node scope', () => {
  const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);

  it('refuses the root namespace (no node) with permission-denied and runs nothing', async () => {
    for (const p of [nodeRoute(ctx, 'replace', { to: 'default', dev: 'veth0' }), nodeSysctl(ctx, { name: 'net.ipv4.ip_forward', value: 1 })]) {
      expect(await refusal(p)).toMatchObject({ code: 'permission-denied', data: { field: 'node' }, message: expect.stringMatching(/never in the root namespace/) });
    }
    expect(spawned).toEqual([]);
  });

  it('refuses a marked namespace nslab has no record of, and says how to adopt it', async () => {
    const e = await refusal(nodeSysctl(ctx, { node: 'stray', name: 'net.ipv4.ip_forward', value: 1 }));
    expect(e).toMatchObject({ code: 'permission-denied', data: { field: 'node', netns: 'nslab-stray' }, message: expect.stringMatching(/no record of namespace nslab-stray.*adopt/) });
    expect(await refusal(nodeRoute(ctx, 'del', { node: 'stray', to: 'default', dev: 'veth0' }))).toMatchObject({ code: 'permission-denied' });
    expect(spawned).toEqual([]);
  });

  it('says not-found for a namespace that does not exist, recorded or not', async () => {
    expect(await refusal(nodeSysctl(ctx, { node: 'ghost', name: 'net.ipv4.ip_forward', value: 1 }))).toMatchObject({ code: 'not-found', data: { field: 'node' } });
    expect(await refusal(nodeSysctl(ctx, { node: 'gone', name: 'net.ipv4.ip_forward', value: 1 }))).toMatchObject({ code: 'not-found', data: { field: 'node' } });
    expect(spawned).toEqual([]);
  });

  it('refuses an interface the node does not have', async () => {
    expect(await refusal(nodeSysctl(ctx, { node: 'owned', name: 'net.ipv4.conf.eth9.rp_filter', value: 2 }))).toMatchObject({ code: 'not-found', data: { field: 'name' } });
    expect(spawned).toEqual([]);
  });

  it('in an owned node: one sysctl -w inside its namespace, one ip route line', async () => {
    expect(await nodeSysctl(ctx, { node: 'owned', name: 'net.ipv4.conf.veth0.rp_filter', value: 2 })).toEqual({ node: 'owned', name: 'net.ipv4.conf.veth0.rp_filter', value: 2 });
    expect(await nodeRoute(ctx, 'replace', { node: 'owned', to: 'default', via: '10.0.0.1' })).toEqual({ node: 'owned', to: 'default' });
    expect(spawned).toEqual([
      ['ip', 'netns', 'exec', 'nslab-owned', 'sysctl', '-q', '-w', 'net.ipv4.conf.veth0.rp_filter=2'],
      ['route', 'replace', 'default', 'via', '10.0.0.1'],
    ]);
  });
});
