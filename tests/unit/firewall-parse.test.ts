import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConntrackList } from '../../electron/helper/firewall/conntrack/parse.js';
import { parseIptablesSave, splitWords } from '../../electron/helper/firewall/parse.js';

const fixture = (...p: string[]): string => readFileSync(join(import.meta.dirname, '../fixtures', ...p), 'utf8');

describe('iptables-save -c parser (captured on iptables 1.8.9, nf_tables)', () => {
  it('reads every table, chain policy, counters and the nslab comment', () => {
    const tables = parseIptablesSave(fixture('iptables/router-counters.txt'));
    expect(tables.map((t) => t.name)).toEqual(['mangle', 'raw', 'filter', 'nat']);
    const filter = tables.find((t) => t.name === 'filter')!;
    expect(filter.chains.find((c) => c.name === 'FORWARD')).toEqual({ name: 'FORWARD', policy: 'DROP', packets: 2, bytes: 148 });
    const related = filter.rules.find((r) => r.words.includes('RELATED'))!;
    expect(related).toMatchObject({ table: 'filter', chain: 'FORWARD', packets: 2, bytes: 148, comment: 'nslab:fx' });
    expect(related.words).toEqual(['-m', 'conntrack', '--ctstate', 'RELATED', '-m', 'comment', '--comment', 'nslab:fx']);
    const other = filter.rules.find((r) => r.chain === 'INPUT')!;
    expect(other.comment).toBe('other rule');
    const nat = tables.find((t) => t.name === 'nat')!;
    expect(nat.rules[0]).toMatchObject({ chain: 'POSTROUTING', packets: 5, bytes: 296 });
    expect(nat.rules[0]!.words.slice(-2)).toEqual(['-j', 'MASQUERADE']);
    const raw = tables.find((t) => t.name === 'raw')!;
    expect(raw.chains.find((c) => c.name === 'MYCHAIN')?.policy).toBeNull();
  });

  it('keeps user chains, negations and quoted comments with spaces', () => {
    const tables = parseIptablesSave(fixture('iptables/docker-like.txt'));
    const filter = tables.find((t) => t.name === 'filter')!;
    expect(filter.chains.map((c) => c.name)).toEqual(['INPUT', 'FORWARD', 'OUTPUT', 'DOCKER', 'DOCKER-ISOLATION-STAGE-1']);
    expect(filter.rules.find((r) => r.chain === 'INPUT')!.comment).toBe('a comment with spaces');
    expect(filter.rules.find((r) => r.words.includes('--physdev-is-bridged'))!.spec).toBe('-m physdev --physdev-is-bridged -m comment --comment "nslab:ping-failed" -j ACCEPT');
    expect(filter.rules.some((r) => r.words.join(' ') === '-i br0 ! -o br0 -j ACCEPT')).toBe(true);
    const dnat = tables.find((t) => t.name === 'nat')!.rules.find((r) => r.words.includes('DNAT'))!;
    expect(dnat.words.slice(-2)).toEqual(['--to-destination', '10.0.0.2:80']);
  });

  it('an empty namespace prints nothing and parses to no tables', () => {
    expect(parseIptablesSave('')).toEqual([]);
  });

  it('splits words like iptables-restore does', () => {
    expect(splitWords('-m comment --comment "a b \\"c\\"" -j X')).toEqual(['-m', 'comment', '--comment', 'a b "c"', '-j', 'X']);
  });
});

describe('conntrack -L parser (the one in conntrack/parse.ts, as lab probes read it)', () => {
  it('reads the default output: protocol, TCP state, flags, both tuples, NAT', () => {
    const entries = parseConntrackList(fixture('conntrack/router-nat.txt'));
    expect(entries).toHaveLength(4);
    const icmp = entries.find((e) => e.protocol === 'icmp')!;
    expect(icmp).toMatchObject({ state: null, flags: [], nat: [{ kind: 'snat', from: '10.99.0.1', to: '10.98.0.254' }] });
    expect(icmp.original).toEqual({ src: '10.99.0.1', dst: '10.98.0.2', type: 8, code: 0, id: 29938 });
    expect(icmp.reply).toMatchObject({ src: '10.98.0.2', dst: '10.98.0.254' });
    const tcp = entries.find((e) => e.protocol === 'tcp')!;
    expect(tcp).toMatchObject({ state: 'TIME_WAIT', flags: ['ASSURED'] });
    expect(tcp.original).toMatchObject({ sport: 55026, dport: 8080 });
    const udp = entries.filter((e) => e.protocol === 'udp');
    expect(udp.every((e) => e.flags.includes('UNREPLIED'))).toBe(true);
  });

  it('reads the extended output the same way', () => {
    const plain = parseConntrackList(fixture('conntrack/router-nat.txt'));
    const extended = parseConntrackList(fixture('conntrack/router-nat-extended.txt'));
    expect(extended).toEqual(plain);
    expect(extended[0]!.family).toBe('ipv4');
  });

  it('ignores the summary line', () => {
    expect(parseConntrackList('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n')).toEqual([]);
  });
});
