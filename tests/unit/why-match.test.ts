// The diagnoser's pure parts: the rule match engine (iptables words, nft text), chain evaluation, the
// snmp/ss/kfree_skb parsers, IPv4 helpers, the messages (both languages, every placeholder filled), and the
// CLI's parameters.
import { describe, expect, it } from 'vitest';
import type { FwChain, FwRule, FwRuleset, FwTable } from '../../electron/shared/contract/index.js';
import { WHY_MESSAGES, renderWhy, type WhyMessageKey } from '../../electron/shared/why/messages.js';
import { parseDropLine, parseReasons } from '../../electron/helper/why/dropwatch.js';
import { inSubnet, isPrivate, networkOf } from '../../electron/helper/why/ipv4.js';
import { evalHook, matchIptables, matchNft, type Packet } from '../../electron/helper/why/match.js';
import { parseSnmp } from '../../electron/helper/why/observe.js';
import { parseListeners } from '../../electron/helper/why/state.js';
import { whyParams } from '../../electron/cli/commands/why.js';

const ping: Packet = { saddr: '10.0.1.2', daddr: '10.0.2.2', proto: 'icmp', icmpType: 'echo-request', iif: 'r0', oif: 'b0', ct: 'new' };
const syn: Packet = { saddr: '10.0.1.2', daddr: '10.0.2.2', proto: 'tcp', sport: 45000, dport: 80, iif: 'r0', oif: 'b0', ct: 'new' };

describe('iptables words', () => {
  it('matches addresses, protocol, ports, interfaces, negation and conntrack state', () => {
    expect(matchIptables(['-s', '10.0.1.0/24', '-d', '10.0.2.2/32', '-j', 'DROP'], ping)).toMatchObject({ match: 'yes', target: { kind: 'drop' } });
    expect(matchIptables(['!', '-s', '10.0.1.0/24', '-j', 'DROP'], ping).match).toBe('no');
    expect(matchIptables(['-p', 'tcp', '-m', 'tcp', '--dport', '80', '-j', 'REJECT', '--reject-with', 'tcp-reset'], syn)).toMatchObject({ match: 'yes', target: { kind: 'reject' } });
    expect(matchIptables(['-p', 'tcp', '--dport', '1:79', '-j', 'DROP'], syn).match).toBe('no');
    expect(matchIptables(['-p', 'tcp', '-m', 'multiport', '--dports', '22,80,443', '-j', 'ACCEPT'], syn).match).toBe('yes');
    expect(matchIptables(['-i', 'r+', '-o', 'b0', '-j', 'ACCEPT'], ping).match).toBe('yes');
    expect(matchIptables(['-o', 'eth1', '-j', 'ACCEPT'], ping).match).toBe('no');
    expect(matchIptables(['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'], ping)).toMatchObject({ match: 'no', usesCt: true });
    expect(matchIptables(['-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP'], { ...ping, ct: 'invalid' })).toMatchObject({ match: 'yes', usesCt: true });
    expect(matchIptables(['-p', 'icmp', '--icmp-type', '8', '-j', 'ACCEPT'], ping).match).toBe('yes');
    expect(matchIptables(['-m', 'comment', '--comment', 'nslab:manual', '-j', 'DROP'], ping).match).toBe('yes');
  });
  it('reads NAT targets and says unknown for matches it does not model', () => {
    expect(matchIptables(['-d', '10.0.2.2/32', '-p', 'tcp', '--dport', '80', '-j', 'DNAT', '--to-destination', '10.0.3.3:8080'], syn).target).toEqual({ kind: 'dnat', to: '10.0.3.3:8080' });
    expect(matchIptables(['-o', 'b0', '-j', 'MASQUERADE'], syn).target).toEqual({ kind: 'masquerade' });
    expect(matchIptables(['-m', 'physdev', '--physdev-in', 'p1', '-j', 'DROP'], ping).match).toBe('unknown');
    expect(matchIptables(['-j', 'DOCKER-USER'], ping).target).toEqual({ kind: 'jump', chain: 'DOCKER-USER' });
  });
});

describe('nft text', () => {
  it('matches the common statements', () => {
    expect(matchNft('ip saddr 10.0.1.0/24 tcp dport { 22, 80 } counter drop', syn)).toMatchObject({ match: 'yes', target: { kind: 'drop' } });
    expect(matchNft('ip daddr != 10.0.2.2 accept', syn).match).toBe('no');
    expect(matchNft('iifname "r0" oifname "b*" accept', ping).match).toBe('yes');
    expect(matchNft('ct state established,related accept', ping)).toMatchObject({ match: 'no', usesCt: true });
    expect(matchNft('ct state { invalid } drop', { ...ping, ct: 'invalid' }).match).toBe('yes');
    expect(matchNft('meta l4proto icmp icmp type echo-request accept', ping).match).toBe('yes');
    expect(matchNft('tcp dport 80 dnat to 10.0.3.3:8080', syn).target).toEqual({ kind: 'dnat', to: '10.0.3.3:8080' });
    expect(matchNft('meta mark 0x1 drop', ping).match).toBe('unknown');
  });
});

const rule = (id: string, index: number, words: string[], packets = 0): FwRule => ({ id, index, handle: index + 1, iptables: `iptables -A X ${words.join(' ')}`, words, nft: null, target: null, comment: null, owner: null, packets, bytes: 0 });
const chain = (name: string, hook: FwChain['hook'], policy: string | null, rules: FwRule[], type: string | null = 'filter', priority = 0): FwChain => ({ name, handle: 1, type: hook ? type : null, hook, priority: hook ? priority : null, policy, packets: 0, bytes: 0, rules });
const ruleset = (tables: FwTable[]): FwRuleset => ({ node: 'r', netns: 'nslab-r', iptablesBackend: 'nf_tables', legacyTables: false, writable: true, tables });

describe('chains on a hook', () => {
  it('follows jumps, stops at the first drop, lets nat see only new flows, skips the trace table', () => {
    const filter: FwTable = {
      source: 'iptables-nft', family: 'ip', name: 'filter', handle: 1, sets: [],
      chains: [chain('FORWARD', 'forward', 'ACCEPT', [rule('a', 0, ['-j', 'CHECK'])]), chain('CHECK', null, null, [rule('b', 0, ['-p', 'tcp', '-j', 'RETURN']), rule('c', 1, ['-d', '10.0.2.2/32', '-j', 'DROP'])])],
    };
    const trace: FwTable = { source: 'nft', family: 'ip', name: 'nslab_trace', handle: 2, sets: [], chains: [chain('forward', 'forward', 'drop', [], 'filter', -350)] };
    const steps = evalHook(ruleset([trace, filter]), 'forward', ping);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ verdict: 'drop', byPolicy: false, outcome: { chain: 'CHECK', rule: { id: 'c' } } });
    expect(evalHook(ruleset([filter]), 'forward', syn)[0]).toMatchObject({ verdict: 'accept', byPolicy: true });
    const nat: FwTable = { source: 'iptables-nft', family: 'ip', name: 'nat', handle: 3, sets: [], chains: [chain('POSTROUTING', 'postrouting', 'ACCEPT', [rule('m', 0, ['-o', 'b0', '-j', 'MASQUERADE'])], 'nat', 100)] };
    expect(evalHook(ruleset([nat]), 'postrouting', ping)[0]!.outcome.target).toEqual({ kind: 'masquerade' });
    expect(evalHook(ruleset([nat]), 'postrouting', { ...ping, ct: 'established' })).toEqual([]);
    const policyDrop: FwTable = { ...filter, chains: [chain('FORWARD', 'forward', 'DROP', [])] };
    expect(evalHook(ruleset([policyDrop]), 'forward', ping)[0]).toMatchObject({ verdict: 'drop', byPolicy: true });
  });
});

describe('parsers', () => {
  it('reads snmp pairs, ss listeners and kfree_skb lines with reason names from the format file', () => {
    const snmp = parseSnmp('Ip: Forwarding InAddrErrors\nIp: 1 3\nUdp: InDatagrams NoPorts\nUdp: 5 2\nTcpExt: IPReversePathFilter\nTcpExt: 1\n');
    expect([snmp.get('Ip.InAddrErrors'), snmp.get('Udp.NoPorts'), snmp.get('TcpExt.IPReversePathFilter')]).toEqual([3, 2, 1]);
    expect(parseListeners('tcp   LISTEN 0      511          0.0.0.0:8080       0.0.0.0:*\nudp   UNCONN 0      0          10.0.0.1:53        0.0.0.0:*\ntcp   LISTEN 0 128 [::]:22 [::]:*\n')).toEqual([
      { proto: 'tcp', addr: '*', port: 8080, text: 'tcp LISTEN 0 511 0.0.0.0:8080 0.0.0.0:*' },
      { proto: 'udp', addr: '10.0.0.1', port: 53, text: 'udp UNCONN 0 0 10.0.0.1:53 0.0.0.0:*' },
      { proto: 'tcp', addr: '*', port: 22, text: 'tcp LISTEN 0 128 [::]:22 [::]:*' },
    ]);
    const reasons = parseReasons('print fmt: "…", __print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, { 87, "IP_INADDRERRORS" })');
    expect(reasons.get(87)).toBe('IP_INADDRERRORS');
    const line = '            ping-14361   [001] ..s1.   264.253684: kfree_skb: skbaddr=000000002ba99314 rx_sk=0000000000000000 protocol=2048 location=ip_forward+0xb3/0xe0 reason: IP_INADDRERRORS';
    expect(parseDropLine(line, reasons)).toEqual({ comm: 'ping', pid: 14361, at: 264.253684, protocol: 2048, location: 'ip_forward+0xb3/0xe0', reason: 'IP_INADDRERRORS' });
    expect(parseDropLine(line.replace('IP_INADDRERRORS', '87'), reasons)!.reason).toBe('IP_INADDRERRORS');
  });
  it('does IPv4 subnet arithmetic', () => {
    expect(inSubnet('10.0.1.130', '10.0.1.128/25')).toBe(true);
    expect(inSubnet('10.0.1.1', '10.0.1.2/32')).toBe(false);
    expect(networkOf('10.95.1.2/24')).toBe('10.95.1.0/24');
    expect([isPrivate('10.1.2.3'), isPrivate('203.0.113.2'), isPrivate('172.20.0.1')]).toEqual([true, false, true]);
  });
});

describe('messages and CLI parameters', () => {
  it('has every message in English and Korean, distinct, with the same placeholders', () => {
    for (const key of Object.keys(WHY_MESSAGES) as WhyMessageKey[]) {
      const m = WHY_MESSAGES[key];
      for (const [en, ko] of [m.title, m.text]) {
        expect(en.length, key).toBeGreaterThan(0);
        expect(ko.length, key).toBeGreaterThan(0);
        const names = (s: string) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((x) => x[1]))].sort();
        expect(names(ko), key).toEqual(names(en));
      }
    }
    expect(renderWhy('forwarding.off', { node: 'router', iif: 'r0', dst: '10.0.2.2' }).title).toEqual({ en: 'router does not forward: ip_forward = 0', ko: 'router는 포워딩하지 않습니다: ip_forward = 0' });
  });
  it('reads ADDR:PORT and refuses bad input naming the field', () => {
    expect(whyParams({ from: 'red', to: '10.0.2.2:8080' })).toEqual({ from: 'red', to: '10.0.2.2', port: 8080, observe: false });
    expect(whyParams({ from: 'red', to: '10.0.2.2', proto: 'udp', observe: true })).toEqual({ from: 'red', to: '10.0.2.2', proto: 'udp', observe: true });
    expect(() => whyParams({ from: 'red', to: '10.0.2.2:http' })).toThrow(/port/);
    expect(() => whyParams({ from: 'red', to: '10.0.2.2:80', proto: 'icmp' })).toThrow(/port/);
    expect(() => whyParams({ from: 'red', to: 'blue' })).toThrow(/to/);
  });
});
