// conntrack parsers on output captured from the kernel (tests/fixtures/conntrack: a router namespace with a
// MASQUERADE, flows RED → BLUE through it; accounting on for list-acct-id.txt).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { movedRules, natRuleFor } from '../../electron/helper/firewall/conntrack/nat-rules.js';
import { isLostEventsLine, parseConntrackLine, parseConntrackList, parseConntrackStats } from '../../electron/helper/firewall/conntrack/parse.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../fixtures/conntrack', name), 'utf8');

describe('conntrack -L parser', () => {
  it('reads tuples, state, flags, counters, mark, the entry id and NAT as the tuples’ difference', () => {
    const entries = parseConntrackList(fixture('list-acct-id.txt'));
    expect(entries).toHaveLength(3);
    const tcp = entries[0]!;
    expect(tcp).toMatchObject({
      id: 1792675484,
      family: 'ipv4',
      protocol: 'tcp',
      timeout: 119,
      state: 'TIME_WAIT',
      flags: ['ASSURED'],
      mark: 0,
      original: { src: '10.91.1.2', dst: '10.91.2.2', sport: 50968, dport: 8080, packets: 4, bytes: 219 },
      reply: { src: '10.91.2.2', dst: '10.91.2.1', sport: 8080, dport: 50968, packets: 4, bytes: 216 },
    });
    expect(tcp.nat).toEqual([{ kind: 'snat', from: '10.91.1.2:50968', to: '10.91.2.1:50968' }]);
    const icmp = entries[2]!;
    expect(icmp).toMatchObject({ id: 1562592635, protocol: 'icmp', state: null, original: { type: 8, code: 0, id: 777 }, reply: { type: 0, id: 777 } });
  });

  it('reads the plain and extended formats of the older fixtures the same way', () => {
    const text = fixture('router-nat-extended.txt');
    const plain = parseConntrackList(fixture('router-nat.txt'));
    const ext = parseConntrackList(text);
    expect(ext.length).toBeGreaterThan(0);
    expect(plain.map((e) => e.original)).toEqual(ext.map((e) => e.original));
    expect(ext.find((e) => e.flags.includes('UNREPLIED'))).toBeDefined();
  });

  it('sums conntrack -S over CPUs', () => {
    expect(parseConntrackStats(fixture('stats.txt'))).toEqual({ found: 0, invalid: 0, insert: 0, insertFailed: 0, drop: 0, earlyDrop: 0, error: 0 });
    expect(parseConntrackStats('cpu=0 found=1 invalid=2 insert_failed=1\ncpu=1 invalid=3 drop=4').invalid).toBe(5);
  });
});

describe('conntrack -E parser', () => {
  it('reads NEW then UPDATE SYN_RECV then ESTABLISHED, timestamps and ids', () => {
    const events = fixture('events-extended.txt').split('\n').map(parseConntrackLine).filter((e) => e !== null);
    expect(events.slice(0, 3).map((e) => [e.type, e.entry.state])).toEqual([
      ['NEW', 'SYN_SENT'],
      ['UPDATE', 'SYN_RECV'],
      ['UPDATE', 'ESTABLISHED'],
    ]);
    expect(events[0]!.at).toBeCloseTo(1796154407.093299, 5);
    expect(new Set(events.slice(0, 7).map((e) => e.entry.id))).toEqual(new Set([1792675484]));
    // ICMP: the tuple's id is the echo id, the last id= the entry's
    const icmp = events.find((e) => e.entry.protocol === 'icmp')!;
    expect(icmp.entry).toMatchObject({ id: 1562592635, original: { id: 777 }, reply: { id: 777 } });
    const plain = fixture('events-plain.txt').split('\n').map(parseConntrackLine).filter((e) => e !== null);
    expect(plain.map((e) => e.type)).toEqual(events.map((e) => e.type));
    expect(plain[0]!.entry.id).toBeNull();
  });

  it('reads a DESTROY without a timeout and recognises the lost-events warning', () => {
    const e = parseConntrackLine(' [DESTROY] tcp      6 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 [ASSURED]');
    expect(e).toMatchObject({ type: 'DESTROY', entry: { timeout: null, state: null, nat: [] } });
    expect(isLostEventsLine('WARNING: We have hit ENOBUFS! We are losing events.')).toBe(true);
    expect(parseConntrackLine('conntrack v1.4.7 (conntrack-tools): 11 flow events have been shown.')).toBeNull();
  });
});

describe('nat rule link', () => {
  it('names the rule of the right kind whose counter moved', () => {
    const entry = parseConntrackList(fixture('list-acct-id.txt'))[0]!;
    const before = [
      { label: 'iptables -t nat -A POSTROUTING -o b0 -j MASQUERADE', kind: 'snat' as const, packets: 3 },
      { label: 'iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2', kind: 'dnat' as const, packets: 9 },
    ];
    const after = before.map((r) => (r.kind === 'snat' ? { ...r, packets: 4 } : r));
    expect(movedRules(before, after).map((r) => r.label)).toEqual([before[0]!.label]);
    expect(natRuleFor(entry, movedRules(before, after))).toBe(before[0]!.label);
    expect(natRuleFor({ ...entry, nat: [] }, after)).toBeNull();
  });
});
