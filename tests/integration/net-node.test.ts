// The page's node-scoped route and sysctl methods on the real kernel: in a node nslab owns they change that
// node (and show in the snapshot and the activity log as the command a person would type); for the root
// namespace, a marked namespace nslab has no record of, or a missing one, a typed refusal and nothing changed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeSnapshot, TopologySnapshot } from '../../electron/shared/contract/index.js';
import { nslab } from '../support/cli.js';
import { useHelper } from '../support/helper.js';

const A = 'nn-a';
const B = 'nn-b';
/** Made here with plain `ip netns add`: it carries the mark but nslab has no record of it. */
const STRAY = 'nslab-nn-stray';

const sh = (argv: string[]): string => {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
const sysctlIn = (netns: string | null, name: string): string => sh([...(netns ? ['ip', 'netns', 'exec', netns] : []), 'sysctl', '-n', name]);
const routesIn = (netns: string | null): string => sh(['ip', ...(netns ? ['-n', netns] : []), 'route', 'show', 'table', 'all']);
/** What a refused call must leave as it was: routes and the allowlisted sysctls of a namespace. */
const stateOf = (netns: string | null): string =>
  [routesIn(netns), ...['net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter', 'net.ipv4.conf.all.forwarding'].map((k) => `${k}=${sysctlIn(netns, k)}`)].join('\n');

const fixture = useHelper({
  setup: async () => void sh(['ip', 'netns', 'add', STRAY]),
  teardown: async () => void spawnSync('ip', ['netns', 'del', STRAY]),
});
const call = <T = Record<string, unknown>>(method: string, params: unknown): Promise<T> => fixture.helper.call<T>(method, params);
async function refusal(method: string, params: unknown): Promise<{ message: string; data: { code: string; field?: string } }> {
  const reply = await fixture.helper.request(method, params);
  expect(reply.error, JSON.stringify(reply)).toBeDefined();
  return reply.error as never;
}
const node = async (name: string): Promise<NodeSnapshot> => (await call<TopologySnapshot>('net.snapshot', { node: name })).nodes.find((n) => n.name === name)!;
const shellLines = (): string[] => fixture.helper.messages.filter((m) => m.method === 'activity').flatMap((m) => (m.params as { shell: string[] }).shell);

beforeAll(async () => {
  await call('events.subscribe', { events: ['activity'] });
  await call('net.netns.create', { node: A });
  await call('net.netns.create', { node: B });
  await call('net.link.create', { node: A, name: 'veth-a', kind: 'veth', peer: { node: B, name: 'veth-b' } });
  await call('net.addr.add', { node: A, dev: 'veth-a', address: '10.77.0.1/24' });
  await call('net.addr.add', { node: B, dev: 'veth-b', address: '10.77.0.2/24' });
  // IPv6 duplicate address detection ends ~1 s after a link comes up, and the kernel then adds the
  // link-local address's `local fe80::…` route by itself: wait for it, so a before/after comparison sees only
  // what the calls under test did.
  for (const n of [A, B]) {
    const deadline = Date.now() + 5000;
    while (sh(['ip', '-n', `nslab-${n}`, '-6', 'addr', 'show', 'tentative']) !== '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  for (const n of [A, B]) await fixture.helper.request('net.netns.delete', { node: n });
});

describe('net.node.* in a node nslab owns', () => {
  it('adds a default route via a gateway and deletes it again', async () => {
    expect(await call('net.node.route.add', { node: A, to: 'default', via: '10.77.0.2' })).toEqual({ node: A, to: 'default' });
    expect(routesIn(`nslab-${A}`)).toMatch(/^default via 10\.77\.0\.2 dev veth-a/m);
    expect((await node(A)).routes).toContainEqual(expect.objectContaining({ to: 'default', via: '10.77.0.2', dev: 'veth-a' }));
    expect(shellLines()).toContain(`ip -n nslab-${A} route replace default via 10.77.0.2`);

    await call('net.node.route.delete', { node: A, to: 'default', via: '10.77.0.2', dev: 'veth-a' });
    expect(routesIn(`nslab-${A}`)).not.toMatch(/^default/m);
    expect(shellLines()).toContain(`ip -n nslab-${A} route del default via 10.77.0.2 dev veth-a`);
    // Deleting what is not there says so.
    expect((await refusal('net.node.route.delete', { node: A, to: 'default', via: '10.77.0.2' })).data.code).toBe('not-found');
  });

  it('adds a prefix route out of an interface', async () => {
    await call('net.node.route.add', { node: B, to: '10.88.0.0/16', dev: 'veth-b' });
    expect(routesIn(`nslab-${B}`)).toMatch(/^10\.88\.0\.0\/16 dev veth-b/m);
    await call('net.node.route.delete', { node: B, to: '10.88.0.0/16', dev: 'veth-b' });
    expect(routesIn(`nslab-${B}`)).not.toMatch(/10\.88\.0\.0/);
  });

  it('toggles ip_forward and sets rp_filter per scope, read back from the kernel', async () => {
    await call('net.node.sysctl.set', { node: B, name: 'net.ipv4.ip_forward', value: 1 });
    expect(sysctlIn(`nslab-${B}`, 'net.ipv4.ip_forward')).toBe('1');
    expect((await node(B)).forwarding).toBe(true);
    await call('net.node.sysctl.set', { node: B, name: 'net.ipv4.ip_forward', value: 0 });
    expect(sysctlIn(`nslab-${B}`, 'net.ipv4.ip_forward')).toBe('0');
    expect((await node(B)).forwarding).toBe(false);

    await call('net.node.sysctl.set', { node: B, name: 'net.ipv4.conf.all.rp_filter', value: 2 });
    expect((await node(B)).rpFilter).toBe(2);
    await call('net.node.sysctl.set', { node: B, name: 'net.ipv4.conf.veth-b.rp_filter', value: 1 });
    expect(sysctlIn(`nslab-${B}`, 'net.ipv4.conf.veth-b.rp_filter')).toBe('1');
    expect((await node(B)).links.find((l) => l.name === 'veth-b')?.rpFilter).toBe(1);
    await call('net.node.sysctl.set', { node: B, name: 'net.ipv4.conf.veth-b.forwarding', value: 1 });
    expect(sysctlIn(`nslab-${B}`, 'net.ipv4.conf.veth-b.forwarding')).toBe('1');
    expect(shellLines()).toEqual(
      expect.arrayContaining([
        `ip netns exec nslab-${B} sysctl -q -w net.ipv4.ip_forward=1`,
        `ip netns exec nslab-${B} sysctl -q -w net.ipv4.conf.all.rp_filter=2`,
        `ip netns exec nslab-${B} sysctl -q -w net.ipv4.conf.veth-b.rp_filter=1`,
      ]),
    );
  });
});

describe('nslab net node … (the same methods from the CLI)', () => {
  it('sets a sysctl and adds/deletes a route in an owned node; refuses an unrecorded one', async () => {
    const set = await nslab(fixture.stateDir, ['net', 'node', 'sysctl', A, 'net.ipv4.conf.veth-a.rp_filter', '2']);
    expect(set.stdout.trim()).toBe(`net.ipv4.conf.veth-a.rp_filter = 2 in nslab-${A}`);
    expect(sysctlIn(`nslab-${A}`, 'net.ipv4.conf.veth-a.rp_filter')).toBe('2');
    await nslab(fixture.stateDir, ['net', 'node', 'route-add', A, '10.55.0.0/16', '--via', '10.77.0.2']);
    expect(routesIn(`nslab-${A}`)).toMatch(/^10\.55\.0\.0\/16 via 10\.77\.0\.2/m);
    await nslab(fixture.stateDir, ['net', 'node', 'route-del', A, '10.55.0.0/16', '--via', '10.77.0.2']);
    expect(routesIn(`nslab-${A}`)).not.toMatch(/10\.55\.0\.0/);
    const refused = await nslab(fixture.stateDir, ['net', 'node', 'sysctl', 'nn-stray', 'net.ipv4.ip_forward', '1']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/permission-denied: nslab has no record of namespace nslab-nn-stray/);
  });
});

describe('net.node.* refuses what nslab does not own, changing nothing', () => {
  it('the root namespace (no node): permission-denied', async () => {
    const before = stateOf(null);
    for (const [method, params] of [
      ['net.node.route.add', { to: '10.99.0.0/24', dev: 'lo' }],
      ['net.node.route.delete', { to: 'default' , dev: 'lo'}],
      ['net.node.sysctl.set', { name: 'net.ipv4.ip_forward', value: sysctlIn(null, 'net.ipv4.ip_forward') === '1' ? 0 : 1 }],
    ] as const) {
      const e = await refusal(method, params);
      expect(e.data, method).toMatchObject({ code: 'permission-denied', field: 'node' });
      expect(e.message).toMatch(/never in the root namespace/);
    }
    expect(stateOf(null)).toBe(before);
  });

  it('a marked namespace nslab has no record of: permission-denied, with how to adopt it', async () => {
    const before = stateOf(STRAY);
    const e = await refusal('net.node.sysctl.set', { node: 'nn-stray', name: 'net.ipv4.ip_forward', value: 1 });
    expect(e.data).toMatchObject({ code: 'permission-denied', field: 'node' });
    expect(e.message).toMatch(/no record of namespace nslab-nn-stray.*adopt/);
    expect((await refusal('net.node.route.add', { node: 'nn-stray', to: '10.99.0.0/24', dev: 'lo' })).data.code).toBe('permission-denied');
    expect((await refusal('net.node.sysctl.set', { node: 'nn-stray', name: 'net.ipv4.conf.all.rp_filter', value: 2 })).data.code).toBe('permission-denied');
    expect(stateOf(STRAY)).toBe(before);
  });

  it('a node that does not exist: not-found; a sysctl off the allowlist or a bad value: invalid-params naming the field', async () => {
    expect((await refusal('net.node.sysctl.set', { node: 'nn-ghost', name: 'net.ipv4.ip_forward', value: 1 })).data).toMatchObject({ code: 'not-found', field: 'node' });
    const before = stateOf(`nslab-${B}`);
    expect((await refusal('net.node.sysctl.set', { node: B, name: 'kernel.hostname', value: 1 })).data).toMatchObject({ code: 'invalid-params', field: 'name' });
    expect((await refusal('net.node.sysctl.set', { node: B, name: 'net.ipv4.conf.all.rp_filter', value: 3 })).data).toMatchObject({ code: 'invalid-params', field: 'value' });
    expect((await refusal('net.node.sysctl.set', { node: B, name: 'net.ipv4.conf.eth9.rp_filter', value: 1 })).data).toMatchObject({ code: 'not-found', field: 'name' });
    expect((await refusal('net.node.route.add', { node: B, to: 'default' })).data).toMatchObject({ code: 'invalid-params', field: 'via' });
    expect(stateOf(`nslab-${B}`)).toBe(before);
  });

  it('the CLI-only root-capable methods stay as they were (net.sysctl.set with no node is refused too)', async () => {
    expect((await refusal('net.sysctl.set', { key: 'ip_forward', value: 1 })).data.code).toBe('permission-denied');
  });
});

describe('topology YAML errors at line:col', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-topo-yaml-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('topology.validate answers every problem with its position; nslab topo apply prints them all, changing nothing', async () => {
    const yaml = ['name: typo', 'nodes:', '  - name: nn-x', '    forwarding: maybe', 'links:', '  - endpoint:', '      - { node: nn-x, name: a }', '      - { node: nn-x, name: b }', ''].join('\n');
    const r = await call<{ valid: boolean; errors: { line: number; col: number; message: string }[] }>('topology.validate', { yaml });
    expect(r.valid).toBe(false);
    expect(r.errors.map((e) => `${e.line}:${e.col}`)).toEqual(['6:5', '4:17']);
    expect(r.errors[0]!.message).toMatch(/did you mean 'endpoints'/);

    const file = join(dir, 'typo.yaml');
    writeFileSync(file, yaml);
    const cli = await nslab(fixture.stateDir, ['topo', 'apply', file]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(`${file}:6:5: links.0.endpoint: unknown key 'endpoint' — did you mean 'endpoints'?`);
    expect(cli.stderr).toContain(`${file}:4:17: nodes.0.forwarding:`);
    const checked = await nslab(fixture.stateDir, ['topo', 'check', file]);
    expect(checked.code).toBe(2);
    expect(checked.stderr.trim().split('\n')).toEqual([
      `${file}:6:5: links.0.endpoint: unknown key 'endpoint' — did you mean 'endpoints'?; allowed here: kind, endpoints`,
      expect.stringMatching(new RegExp(`^${file}:4:17: nodes\\.0\\.forwarding: `)),
    ]);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toMatch(/nslab-nn-x/);
  });
});
