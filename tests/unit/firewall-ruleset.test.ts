import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FwRuleset } from '../../electron/shared/contract/firewall.js';
import { nftRuleKey, parseNftJson, parseNftText } from '../../electron/helper/firewall/nft-parse.js';
import { buildRuleset, iptablesLine } from '../../electron/helper/firewall/ruleset.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../fixtures/firewall', name), 'utf8');
const captured = (nftText: string | null = fixture('nft-ruleset.txt')) =>
  buildRuleset('nslab-fxcap', {
    def: 'nf_tables',
    nfSave: fixture('iptables-nft-save.txt'),
    legacySave: fixture('iptables-legacy-save.txt'),
    nftJson: fixture('nft-ruleset.json'),
    nftText,
  });

describe('nft -j -a list ruleset parser (captured, nft 1.0.6)', () => {
  it('reads tables, chains with hook/priority/policy, rules with handles, counters and verdicts', () => {
    const tables = parseNftJson(fixture('nft-ruleset.json'));
    expect(tables.map((t) => `${t.family} ${t.name}`)).toEqual(['ip filter', 'ip nat', 'ip raw', 'ip mangle', 'inet nslab_fx']);
    const fx = tables.find((t) => t.name === 'nslab_fx')!;
    expect(fx.sets).toEqual(['blocked']);
    const input = fx.chains.find((c) => c.name === 'input')!;
    expect(input).toMatchObject({ type: 'filter', hook: 'input', priority: -10, policy: 'accept' });
    expect(input.rules.map((r) => [r.handle, r.verdict, r.packets, r.comment])).toEqual([
      [6, 'drop', 0, null],
      [7, 'accept', 3, 'native nft'],
    ]);
    const guard = fx.chains.find((c) => c.name === 'forward_guard')!;
    expect(guard).toMatchObject({ hook: 'forward', priority: 5, policy: 'drop' });
    expect(guard.rules[1]).toMatchObject({ verdict: 'jump web', packets: null });
    expect(fx.chains.find((c) => c.name === 'web')).toMatchObject({ hook: null, priority: null, policy: null });
    // iptables-nft puts MASQUERADE in as an xt target: nft -j names it as iptables does
    const nat = tables.find((t) => t.name === 'nat')!;
    expect(nat.chains.find((c) => c.name === 'POSTROUTING')!.rules.map((r) => r.verdict)).toEqual(['MASQUERADE', 'MASQUERADE']);
  });

  it('an empty namespace has only the metainfo: no tables', () => {
    expect(parseNftJson(fixture('empty-nft-ruleset.json'))).toEqual([]);
    expect(parseNftJson('')).toEqual([]);
  });

  it('reads each rule text by handle, without counter values, sets and chain headers left out', () => {
    const texts = parseNftText(fixture('nft-ruleset.txt'));
    expect(texts.get(nftRuleKey('inet', 'nslab_fx', 'web', 11))).toBe('tcp dport { 80, 443 } counter accept');
    expect(texts.get(nftRuleKey('inet', 'nslab_fx', 'input', 7))).toBe('iifname "lo" icmp type echo-request counter accept comment "native nft"');
    expect(texts.get(nftRuleKey('ip', 'nat', 'PREROUTING', 6))).toBe('fib daddr type local counter jump DOCKER');
    // the set's own handle (5) is not a rule
    expect([...texts.keys()].filter((k) => k.startsWith('inet nslab_fx')).sort()).toEqual(
      ['forward_guard 8', 'forward_guard 9', 'input 6', 'input 7', 'post 12', 'web 11'].map((s) => `inet nslab_fx ${s}`).sort(),
    );
  });
});

describe('one ruleset from iptables-save (nf_tables + legacy) and nft', () => {
  it('satisfies the contract', () => {
    expect(FwRuleset.safeParse(captured()).success).toBe(true);
  });

  it('lists iptables-nft tables once, joined with their nft handles, hooks and priorities', () => {
    const rs = captured();
    expect(rs.tables.map((t) => `${t.source} ${t.family} ${t.name}`)).toEqual([
      'iptables-nft ip mangle',
      'iptables-nft ip raw',
      'iptables-nft ip filter',
      'iptables-nft ip nat',
      'iptables-legacy ip filter',
      'nft inet nslab_fx',
    ]);
    expect(rs).toMatchObject({ node: 'fxcap', netns: 'nslab-fxcap', iptablesBackend: 'nf_tables', legacyTables: true, writable: false });
    const filter = rs.tables.find((t) => t.source === 'iptables-nft' && t.name === 'filter')!;
    expect(filter.chains.map((c) => c.name)).toEqual(['INPUT', 'FORWARD', 'OUTPUT', 'DOCKER', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER-ISOLATION-STAGE-2', 'DOCKER-USER']);
    const forward = filter.chains.find((c) => c.name === 'FORWARD')!;
    expect(forward).toMatchObject({ handle: 2, type: 'filter', hook: 'forward', priority: 0, policy: 'DROP', packets: 0 });
    expect(forward.rules.map((r) => r.target)).toEqual(['DOCKER-USER', 'DOCKER-ISOLATION-STAGE-1', 'ACCEPT', 'DOCKER', 'ACCEPT', 'ACCEPT']);
    expect(forward.rules[2]).toMatchObject({
      id: 'iptables-nft/ip/filter/FORWARD#12',
      handle: 12,
      iptables: 'iptables -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      nft: 'oifname "docker0" ct state related,established counter accept',
    });
    expect(forward.rules[4]!.iptables).toBe('iptables -A FORWARD -i docker0 ! -o docker0 -j ACCEPT');
    expect(filter.chains.find((c) => c.name === 'DOCKER-USER')).toMatchObject({ hook: null, priority: null, policy: null, packets: null });
    const input = filter.chains.find((c) => c.name === 'INPUT')!.rules[0]!;
    expect(input).toMatchObject({ comment: 'nslab:fx', owner: 'fx', packets: 6, bytes: 504 });
    const out = filter.chains.find((c) => c.name === 'OUTPUT')!.rules[0]!;
    expect(out.iptables).toBe("iptables -A OUTPUT -o lo -p icmp -m comment --comment 'a comment with spaces' -j ACCEPT");
    expect(out.owner).toBeNull();
  });

  it('nat: Docker DNAT, MASQUERADE and addrtype LOCAL, with the nat priorities', () => {
    const nat = captured().tables.find((t) => t.name === 'nat')!;
    expect(nat.chains.filter((c) => c.hook).map((c) => [c.name, c.hook, c.priority])).toEqual([
      ['PREROUTING', 'prerouting', -100],
      ['INPUT', 'input', 100],
      ['OUTPUT', 'output', -100],
      ['POSTROUTING', 'postrouting', 100],
    ]);
    const dnat = nat.chains.find((c) => c.name === 'DOCKER')!.rules[1]!;
    expect(dnat.iptables).toBe('iptables -t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80');
    expect(dnat.nft).toBe('iifname != "docker0" tcp dport 8080 counter dnat to 172.17.0.2:80');
    expect(nat.chains.find((c) => c.name === 'PREROUTING')!.rules[0]!.words).toEqual(['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'DOCKER']);
    expect(nat.chains.find((c) => c.name === 'POSTROUTING')!.rules[0]!.target).toBe('MASQUERADE');
  });

  it('legacy tables: no handle, fixed x_tables priorities, the iptables-legacy command', () => {
    const legacy = captured().tables.find((t) => t.source === 'iptables-legacy')!;
    const input = legacy.chains.find((c) => c.name === 'INPUT')!;
    expect(input).toMatchObject({ handle: null, hook: 'input', priority: 0, policy: 'ACCEPT', packets: 6 });
    expect(input.rules[0]).toMatchObject({ handle: null, nft: null, iptables: 'iptables-legacy -A INPUT -p tcp -m tcp --dport 22 -j LEGACY-CHAIN', target: 'LEGACY-CHAIN' });
    expect(input.rules[0]!.id).toBe('iptables-legacy/ip/filter/INPUT@-p tcp -m tcp --dport 22 -j LEGACY-CHAIN');
  });

  it('native nft: rules with nft text only, the table owner from nslab_<owner>', () => {
    const fx = captured().tables.find((t) => t.source === 'nft')!;
    const post = fx.chains.find((c) => c.name === 'post')!;
    expect(post).toMatchObject({ type: 'nat', hook: 'postrouting', priority: 100, policy: 'accept' });
    expect(post.rules[0]).toMatchObject({ id: 'nft/inet/nslab_fx/post#12', handle: 12, iptables: null, nft: 'oifname "nslab-fxa" ip saddr 10.0.0.0/24 counter masquerade', target: 'masquerade', owner: 'fx' });
  });

  it('ids do not depend on whether the text was read (a counter sweep reads no text)', () => {
    const ids = (rs: FwRuleset) => rs.tables.flatMap((t) => t.chains.flatMap((c) => c.rules.map((r) => r.id)));
    const sweep = captured(null);
    expect(ids(sweep)).toEqual(ids(captured()));
    expect(sweep.tables.flatMap((t) => t.chains.flatMap((c) => c.rules)).every((r) => r.nft === null)).toBe(true);
  });

  it('legacy rules with the same spec get distinct ids', () => {
    const save = '*filter\n:INPUT ACCEPT [0:0]\n[1:2] -A INPUT -j ACCEPT\n[3:4] -A INPUT -j ACCEPT\nCOMMIT\n';
    const rs = buildRuleset(null, { def: 'nf_tables', nfSave: '', legacySave: save, nftJson: '', nftText: '' });
    expect(rs.node).toBeNull();
    expect(rs.tables[0]!.chains[0]!.rules.map((r) => r.id)).toEqual(['iptables-legacy/ip/filter/INPUT@-j ACCEPT', 'iptables-legacy/ip/filter/INPUT@-j ACCEPT#1']);
  });

  it('an empty namespace has no tables', () => {
    const rs = buildRuleset('nslab-x', { def: 'nf_tables', nfSave: fixture('empty-iptables-save.txt'), legacySave: '', nftJson: fixture('empty-nft-ruleset.json'), nftText: '' });
    expect(rs.tables).toEqual([]);
    expect(rs.legacyTables).toBe(false);
  });

  it('prints the iptables line a person would type', () => {
    expect(iptablesLine('iptables', 'nat', 'POSTROUTING', ['-s', '10.0.0.0/24', '!', '-o', 'eth0', '-j', 'MASQUERADE'])).toBe('iptables -t nat -A POSTROUTING -s 10.0.0.0/24 ! -o eth0 -j MASQUERADE');
    expect(iptablesLine('iptables', 'filter', 'INPUT', ['-m', 'comment', '--comment', 'it is', '-j', 'DROP'], '-I')).toBe("iptables -I INPUT -m comment --comment 'it is' -j DROP");
  });
});
