// Firewall rules on the real kernel: read (iptables both backends + nft), written in both syntaxes and
// deleted in a node nslab owns, counters that move with traffic, the root namespace read but never written.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nslab } from '../support/cli.js';
import { useHelper } from '../support/helper.js';

const fixture = useHelper();
const call = <T = Record<string, unknown>>(method: string, params: unknown) => fixture.helper.call<T>(method, params);

interface Rule { id: string; handle: number | null; iptables: string | null; nft: string | null; owner: string | null; comment: string | null; packets: number | null; words: string[] | null }
interface Chain { name: string; policy: string | null; hook: string | null; priority: number | null; rules: Rule[] }
interface Table { source: string; family: string; name: string; chains: Chain[] }
interface Ruleset { node: string | null; netns: string | null; writable: boolean; iptablesBackend: string; tables: Table[] }
interface Change { netns: string; commands: string[]; rules: Rule[] }

const show = (node?: string) => call<Ruleset>('fw.show', node ? { node } : {});
const chainOf = (rs: Ruleset, source: string, table: string, chain: string) => rs.tables.find((t) => t.source === source && t.name === table)?.chains.find((c) => c.name === chain);
const rulesOf = (rs: Ruleset) => rs.tables.flatMap((t) => t.chains.flatMap((c) => c.rules));
const inNs = (...argv: string[]) => spawnSync('ip', ['netns', 'exec', 'nslab-fwa', ...argv], { encoding: 'utf8' });

describe('firewall rules in a node nslab owns', () => {
  it('reads, writes in iptables and nft syntax, counts traffic, deletes by id, line and owner', async () => {
    await call('net.netns.create', { node: 'fwa' });
    await call('events.subscribe', { events: ['activity'] });
    const empty = await show('fwa');
    expect(empty).toMatchObject({ node: 'fwa', netns: 'nslab-fwa', writable: true, iptablesBackend: 'nf_tables', tables: [] });

    // an iptables line, as typed after `iptables`
    const masq = await call<Change>('fw.rule.add', { node: 'fwa', line: '-t nat -A POSTROUTING -s 10.0.0.0/24 -j MASQUERADE' });
    expect(masq.commands).toEqual(['ip netns exec nslab-fwa iptables -t nat -A POSTROUTING -m comment --comment nslab:manual -s 10.0.0.0/24 -j MASQUERADE']);
    expect(masq.rules).toHaveLength(1);
    expect(masq.rules[0]).toMatchObject({ owner: 'manual', comment: 'nslab:manual', nft: expect.stringContaining('masquerade') });
    expect(masq.rules[0]!.handle).toEqual(expect.any(Number));
    const activity = await fixture.helper.waitFor((m) => m.method === 'activity' && JSON.stringify(m.params).includes('MASQUERADE'));
    expect((activity.params as { shell: string[]; ok: boolean }).shell).toEqual(masq.commands);

    // the structured form, and an insert at a position
    const icmp = await call<Change>('fw.rule.add', { node: 'fwa', owner: 'fwtest', iptables: { chain: 'INPUT', rule: ['-p', 'icmp', '-j', 'ACCEPT'] } });
    // read back as iptables-save prints it: matches in the kernel's order
    expect(icmp.rules[0]!.iptables).toBe('iptables -A INPUT -p icmp -m comment --comment nslab:fwtest -j ACCEPT');
    const lo = await call<Change>('fw.rule.add', { node: 'fwa', owner: 'fwtest', line: '-I INPUT 1 -i lo -p icmp -j ACCEPT' });
    expect(lo.commands[0]).toContain('iptables -I INPUT 1 -m comment --comment nslab:fwtest -i lo -p icmp -j ACCEPT');
    let rs = await show('fwa');
    expect(chainOf(rs, 'iptables-nft', 'filter', 'INPUT')!.rules.map((r) => r.id)).toEqual([lo.rules[0]!.id, icmp.rules[0]!.id]);

    // an nft rule goes to the owner's own table, in a base chain made for it
    const nft = await call<Change>('fw.rule.add', { node: 'fwa', owner: 'fwtest', nft: { chain: 'input', hook: 'input', priority: -5, rule: 'icmp type echo-request counter accept' } });
    expect(nft.commands).toEqual([
      "ip netns exec nslab-fwa nft 'add table inet nslab_fwtest'",
      "ip netns exec nslab-fwa nft 'add chain inet nslab_fwtest input { type filter hook input priority -5; policy accept; }'",
      "ip netns exec nslab-fwa nft 'add rule inet nslab_fwtest input icmp type echo-request counter accept'",
    ]);
    expect(nft.rules).toMatchObject([{ nft: 'icmp type echo-request counter accept', owner: 'fwtest', packets: 0 }]);
    rs = await show('fwa');
    expect(rs.tables.find((t) => t.name === 'nslab_fwtest')!.chains[0]).toMatchObject({ name: 'input', hook: 'input', priority: -5, policy: 'accept' });

    const ledger = (await call<{ objects: { kind: string; netns: string | null; name: string }[] }>('ledger.list', {})).objects.filter((o) => o.netns === 'nslab-fwa');
    expect(ledger.map((o) => `${o.kind} ${o.name}`).sort()).toEqual(['nft-table inet nslab_fwtest', 'rule nslab:fwtest', 'rule nslab:manual']);

    // counters move with traffic, live through fw.watch
    await call('fw.watch', { targets: [{ node: 'fwa' }], interval: 250 });
    const first = await fixture.helper.waitFor((m) => m.method === 'fw.counters');
    const firstRules = (first.params as { rules: { id: string; zeroSinceWatch: boolean; zeroSinceStart: boolean }[] }).rules;
    expect(firstRules.find((r) => r.id === masq.rules[0]!.id)).toMatchObject({ zeroSinceWatch: true, zeroSinceStart: true });
    expect(inNs('ping', '-c', '3', '-i', '0.2', '-W', '2', '127.0.0.1').status).toBe(0);
    const moved = await fixture.helper.waitFor(
      (m) => m.method === 'fw.counters' && (m.params as { rules: { id: string; dPackets: number }[] }).rules.some((r) => r.id === lo.rules[0]!.id && r.dPackets > 0),
    );
    const loDelta = (moved.params as { rules: { id: string; dPackets: number; zeroSinceWatch: boolean }[] }).rules.find((r) => r.id === lo.rules[0]!.id)!;
    expect(loDelta.zeroSinceWatch).toBe(false);
    await call('fw.unwatch', {});
    rs = await show('fwa');
    // requests and replies both come in on lo: 3 + 3
    expect(rulesOf(rs).find((r) => r.id === lo.rules[0]!.id)!.packets).toBe(6);
    expect(rulesOf(rs).find((r) => r.id === nft.rules[0]!.id)!.packets).toBe(3);
    expect(rulesOf(rs).find((r) => r.id === icmp.rules[0]!.id)!.packets).toBe(0);

    // policy, as `iptables -P`
    const policy = await call<{ commands: string[] }>('fw.policy.set', { node: 'fwa', chain: 'FORWARD', policy: 'DROP' });
    expect(policy.commands).toEqual(['ip netns exec nslab-fwa iptables -P FORWARD DROP']);
    expect(chainOf(await show('fwa'), 'iptables-nft', 'filter', 'FORWARD')!.policy).toBe('DROP');
    await call('fw.policy.set', { node: 'fwa', chain: 'FORWARD', policy: 'ACCEPT' });

    // delete by id, by line, by owner
    const byId = await call<Change>('fw.rule.delete', { node: 'fwa', id: icmp.rules[0]!.id });
    expect(byId.commands).toEqual(['ip netns exec nslab-fwa iptables -D INPUT -p icmp -m comment --comment nslab:fwtest -j ACCEPT']);
    const byLine = await call<Change>('fw.rule.delete', { node: 'fwa', line: '-t nat -D POSTROUTING -s 10.0.0.0/24 -j MASQUERADE' });
    expect(byLine.rules.map((r) => r.id)).toEqual([masq.rules[0]!.id]);
    const byOwner = await call<Change>('fw.rule.delete', { node: 'fwa', owner: 'fwtest' });
    expect(byOwner.rules.map((r) => r.id).sort()).toEqual([lo.rules[0]!.id, nft.rules[0]!.id].sort());
    rs = await show('fwa');
    expect(rulesOf(rs)).toEqual([]);
    expect(rs.tables.some((t) => t.name === 'nslab_fwtest')).toBe(false);
    const left = (await call<{ objects: { kind: string; netns: string | null }[] }>('ledger.list', {})).objects.filter((o) => o.netns === 'nslab-fwa');
    expect(left).toEqual([]);
    await call('net.netns.delete', { node: 'fwa' });
  });

  it('the CLI: nslab fw add NODE -- <iptables line>, show --json, delete --owner', async () => {
    await call('net.netns.create', { node: 'fwb' });
    const add = await nslab(fixture.stateDir, ['fw', 'add', 'fwb', '--', '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.0.0.0/24', '!', '-o', 'lo', '-j', 'MASQUERADE']);
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('ip netns exec nslab-fwb iptables -t nat -A POSTROUTING -m comment --comment nslab:manual -s 10.0.0.0/24 ! -o lo -j MASQUERADE');
    const shown = await nslab(fixture.stateDir, ['fw', 'show', 'fwb', '--json']);
    const rs = JSON.parse(shown.stdout) as Ruleset;
    expect(rulesOf(rs).map((r) => r.iptables)).toEqual(['iptables -t nat -A POSTROUTING -s 10.0.0.0/24 ! -o lo -m comment --comment nslab:manual -j MASQUERADE']);
    const text = await nslab(fixture.stateDir, ['fw', 'show', 'fwb']);
    expect(text.stdout).toMatch(/iptables-nft ip nat[\s\S]*chain POSTROUTING\s+\(hook postrouting, priority 100, policy ACCEPT/);
    const del = await nslab(fixture.stateDir, ['fw', 'delete', 'fwb', '--owner', 'manual']);
    expect(del.code).toBe(0);
    expect(rulesOf(await show('fwb'))).toEqual([]);
    await call('net.netns.delete', { node: 'fwb' });
  });

  it('reads the root namespace, and never writes it', async () => {
    const root = await show();
    expect(root).toMatchObject({ node: null, netns: null, writable: false, iptablesBackend: 'nf_tables' });
    const before = spawnSync('iptables-save', { encoding: 'utf8' }).stdout.replace(/^#.*$/gm, '');
    await expect(call('fw.rule.add', { line: '-A INPUT -j ACCEPT' })).rejects.toMatchObject({ data: { code: 'permission-denied', field: 'node' } });
    await expect(call('fw.policy.set', { chain: 'INPUT', policy: 'DROP' })).rejects.toMatchObject({ data: { code: 'permission-denied', field: 'node' } });
    await expect(call('fw.rule.delete', { owner: 'manual' })).rejects.toMatchObject({ data: { code: 'permission-denied', field: 'node' } });
    expect(spawnSync('iptables-save', { encoding: 'utf8' }).stdout.replace(/^#.*$/gm, '')).toBe(before);
  });
});
