// `nslab net …` verbs on the real kernel: two namespaces joined by a veth, addressed, routed and forwarded
// through the CLI, each step read back with `ip` itself; then taken apart verb by verb. Bad words fail
// with a typed error naming the field and change nothing.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { kernelState, nslab, nslabJson } from '../support/cli.js';
import { ledgerForThisFile } from '../support/cli-file.js';

const state = ledgerForThisFile();
const A = 'clinet-a';
const B = 'clinet-b';

/** What the kernel itself says, by `ip -json` inside the namespace. */
const ipJson = <T>(netns: string, ...args: string[]): T => JSON.parse(spawnSync('ip', ['-n', netns, '-json', ...args], { encoding: 'utf8' }).stdout || '[]') as T;
const sysctl = (netns: string, key: string): string => spawnSync('ip', ['netns', 'exec', netns, 'cat', `/proc/sys/net/ipv4/${key}`], { encoding: 'utf8' }).stdout.trim();
/** A verb's --json answer, less the `mode` every CLI answer carries (host here: the tests run as root). */
const run = async (...args: string[]): Promise<Record<string, unknown>> => {
  const { mode, ...answer } = await nslabJson<Record<string, unknown>>(state.dir, ['net', ...args, '--json']);
  expect(mode).toBe('host');
  return answer;
};

describe('nslab net', () => {
  it('builds two namespaces joined by a veth, addressed and routed', async () => {
    expect(await run('netns', 'add', A)).toEqual({ netns: `nslab-${A}` });
    expect(await run('netns', 'add', B)).toEqual({ netns: `nslab-${B}` });
    const { namespaces } = (await run('netns', 'ls')) as { namespaces: { name: string; owned: boolean }[] };
    expect(namespaces).toEqual(expect.arrayContaining([{ name: `nslab-${A}`, marked: true, owned: true }, { name: `nslab-${B}`, marked: true, owned: true }]));

    expect(await run('link', 'add', 'va', '--kind', 'veth', '--node', A, '--peer', 'vb', '--peer-node', B, '--mtu', '1400')).toEqual({ name: 'va', netns: `nslab-${A}` });
    const [va] = ipJson<{ ifname: string; mtu: number; operstate: string }[]>(`nslab-${A}`, 'link', 'show', 'va');
    expect(va).toMatchObject({ ifname: 'va', mtu: 1400 });

    await run('addr', 'add', '10.77.0.1/24', '--dev', 'va', '--node', A);
    await run('addr', 'add', '10.77.0.2/24', '--dev', 'vb', '--node', B);
    const addrs = ipJson<{ addr_info: { local: string; prefixlen: number }[] }[]>(`nslab-${A}`, 'addr', 'show', 'dev', 'va');
    expect(addrs[0]!.addr_info).toEqual(expect.arrayContaining([expect.objectContaining({ local: '10.77.0.1', prefixlen: 24 })]));

    await run('route', 'add', 'default', '--via', '10.77.0.2', '--node', A);
    expect(ipJson<{ dst: string; gateway?: string }[]>(`nslab-${A}`, 'route', 'show', 'default')).toEqual([expect.objectContaining({ dst: 'default', gateway: '10.77.0.2' })]);

    expect(await run('sysctl', 'set', 'ip_forward', '1', '--node', B)).toEqual({ key: 'ip_forward', value: 1 });
    expect(sysctl(`nslab-${B}`, 'ip_forward')).toBe('1');

    // The same state through the read verb, and reachable for real.
    const snap = (await run('show', '--node', A)) as { nodes: { name: string; routes: { to: string; via?: string }[] }[] };
    expect(snap.nodes.map((n) => n.name)).toEqual([A]);
    expect(snap.nodes[0]!.routes).toEqual(expect.arrayContaining([expect.objectContaining({ to: 'default', via: '10.77.0.2' })]));
    const ping = spawnSync('ip', ['netns', 'exec', `nslab-${A}`, 'ping', '-c1', '-W2', '10.77.0.2'], { encoding: 'utf8' });
    expect(ping.status, ping.stdout + ping.stderr).toBe(0);
  });

  it('prints a human line without --json', async () => {
    // (not --down: taking the link down would flush the route the next test removes)
    const r = await nslab(state.dir, ['net', 'link', 'set', 'va', '--node', A, '--mtu', '1450']);
    expect(r).toMatchObject({ code: 0, stdout: `set va in nslab-${A}\n` });
    expect(ipJson<{ mtu: number }[]>(`nslab-${A}`, 'link', 'show', 'va')[0]!.mtu).toBe(1450);
    const show = await nslab(state.dir, ['net', 'show', '--node', A]);
    expect(show.stdout).toMatch(new RegExp(`^${A}  \\(netns nslab-${A}\\)\n  lo .*\n  va +veth .*10\\.77\\.0\\.1/24 peer vb@nslab-${B}\n`));
  });

  it('refuses bad words with a typed error naming the field, changing nothing', async () => {
    const snapshot = kernelState();
    const bad = await nslab(state.dir, ['net', 'addr', 'add', '10.77.0.9', '--dev', 'va', '--node', A, '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'invalid-params', field: 'address' } });
    const mtu = await nslab(state.dir, ['net', 'link', 'set', 'va', '--node', A, '--mtu', 'big', '--json']);
    expect(JSON.parse(mtu.stdout)).toMatchObject({ error: { code: 'invalid-params', field: 'mtu' } });
    const fwd = await nslab(state.dir, ['net', 'sysctl', 'set', 'ip_forward', '2', '--node', B]);
    expect(fwd.code).toBe(2);
    expect(fwd.stderr).toBe('nslab: invalid-params: value: forwarding is 0 or 1\n');
    expect(kernelState()).toBe(snapshot);
  });

  it('takes it apart verb by verb', async () => {
    await run('route', 'del', 'default', '--via', '10.77.0.2', '--node', A);
    expect(ipJson(`nslab-${A}`, 'route', 'show', 'default')).toEqual([]);
    await run('addr', 'del', '10.77.0.1/24', '--dev', 'va', '--node', A);
    expect(ipJson<{ addr_info: unknown[] }[]>(`nslab-${A}`, '-4', 'addr', 'show', 'dev', 'va')[0]?.addr_info ?? []).toEqual([]);
    expect(await run('link', 'del', 'va', '--node', A)).toEqual({ name: 'va' });
    expect(ipJson(`nslab-${B}`, 'link', 'show', 'vb')).toEqual([]); // the peer went with it
    await run('netns', 'del', A);
    await run('netns', 'del', B);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toMatch(/nslab-clinet-/);
  });
});
