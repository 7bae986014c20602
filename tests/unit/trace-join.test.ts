// The packet walk's parser and join on `nft -a monitor trace` output captured from the kernel (RED →
// router → BLUE, MASQUERADE on the router, see tests/fixtures/nft-trace/README.md), with the router's
// rulesets captured while the trace table was there, resolved through the firewall reader.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FwRuleset } from '../../electron/shared/contract/firewall.js';
import { buildRuleset } from '../../electron/helper/firewall/ruleset.js';
import { joinTrace } from '../../electron/helper/firewall/trace/join.js';
import type { TimedTraceLine } from '../../electron/helper/firewall/trace/listener.js';
import { parsePacket, parseTraceLine, parseTraceOutput } from '../../electron/helper/firewall/trace/monitor-parse.js';
import { ruleIndexOf } from '../../electron/helper/firewall/trace/rule-index.js';
import { markerRules, traceTableScript } from '../../electron/helper/firewall/trace/table.js';
import type { TraceProtocol } from '../../electron/shared/contract/index.js';

const dir = join(import.meta.dirname, '../fixtures/nft-trace');
const fixture = (name: string): string => readFileSync(join(dir, name), 'utf8');
const NODES = ['red', 'router', 'blue'] as const;

/** The captured streams, interleaved the way the helper receives them: each namespace's lines in order. */
function lines(scenario: string): TimedTraceLine[] {
  const out: TimedTraceLine[] = [];
  let order = 0;
  for (const node of NODES) {
    const file = `${scenario}-${node}.txt`;
    if (!existsSync(join(dir, file))) continue;
    for (const line of parseTraceOutput(fixture(file))) out.push({ netns: `nslab-tr-${node}`, order: order++, at: order, line });
  }
  return out;
}

function index(scenario: string) {
  const router: FwRuleset = buildRuleset('nslab-tr-router', {
    def: 'nf_tables',
    nfSave: fixture(`${scenario}-router.iptables-save`),
    legacySave: '',
    nftJson: fixture(`${scenario}-router.nft.json`),
    nftText: fixture(`${scenario}-router.nft.txt`),
  });
  return ruleIndexOf(new Map([['nslab-tr-router', router]]));
}

const walk = (scenario: string, proto: TraceProtocol, marker: number) =>
  joinTrace({ lines: lines(scenario), proto, marker, from: 'nslab-tr-red', index: index(scenario) });

const markerOf = (scenario: string): number => {
  const first = parseTraceOutput(fixture(`${scenario}-red.txt`)).find((l) => l.kind === 'packet');
  const p = first?.kind === 'packet' ? first.packet : {};
  return p.icmpId ?? p.sport ?? 0;
};

describe('nft monitor trace parser', () => {
  it('reads packet, rule (with handle and verdict), unknown-handle and policy lines', () => {
    const rule = parseTraceLine('trace id 06079715 ip nat POSTROUTING rule oifname "b0"  counter packets 0 bytes 0 masquerade # handle 2 (verdict accept)');
    expect(rule).toEqual({ id: '06079715', family: 'ip', table: 'nat', chain: 'POSTROUTING', kind: 'rule', handle: 2, text: 'oifname "b0" counter packets 0 bytes 0 masquerade', verdict: 'accept' });
    expect(parseTraceLine('trace id 03146d0a ip nslab_trace prerouting unknown rule handle 6 (verdict continue)')).toMatchObject({ kind: 'rule', handle: 6, text: '', verdict: 'continue' });
    expect(parseTraceLine('trace id 03146d0a ip filter FORWARD policy drop ')).toMatchObject({ kind: 'policy', verdict: 'drop' });
    expect(parseTraceLine('trace id 1 ip filter FORWARD rule counter jump NSLAB-USER # handle 3 (verdict jump NSLAB-USER)')).toMatchObject({ verdict: 'jump NSLAB-USER', handle: 3 });
    expect(parseTraceLine('not a trace line')).toBeNull();
  });

  it('reads the headers it joins on', () => {
    const tcp = parseTraceOutput(fixture('tcp-refused-router.txt')).find((l) => l.kind === 'packet');
    expect(tcp?.kind === 'packet' && tcp.packet).toMatchObject({ iif: 'r0', saddr: '10.93.1.2', daddr: '10.93.2.2', protocol: 'tcp', dport: 8080, tcpFlags: 'syn', ttl: 64 });
    expect(parsePacket('oif "eth0" ip saddr 10.0.0.1 ip daddr 10.0.0.2 ip ttl 64 ip id 7 icmp type echo-request icmp code net-unreachable icmp id 4242 icmp sequence 1')).toEqual({
      oif: 'eth0', saddr: '10.0.0.1', daddr: '10.0.0.2', ttl: 64, ipId: 7, protocol: 'icmp', icmpType: 'echo-request', icmpId: 4242, icmpSeq: 1,
    });
  });
});

describe('trace table', () => {
  it('marks only the probe, on prerouting and output, and observes every hook at -350', () => {
    const script = traceTableScript({ proto: 'tcp', marker: 45000 });
    for (const hook of ['prerouting', 'input', 'forward', 'output', 'postrouting']) expect(script).toContain(`type filter hook ${hook} priority -350; policy accept;`);
    expect(script.match(/meta nftrace set 1/g)).toHaveLength(6);
    expect(markerRules({ proto: 'icmp', marker: 7 })[0]).toBe('icmp id 7 meta nftrace set 1');
    expect(markerRules({ proto: 'udp', marker: 45000 })).toContain('udp dport 45000 meta nftrace set 1');
  });
});

describe('join', () => {
  it('walks the ping through every hook of the three namespaces in order, names the MASQUERADE and the de-NAT', () => {
    const w = walk('masquerade-icmp', 'icmp', markerOf('masquerade-icmp'));
    expect(w.unjoined).toBe(0);
    const seq = (d: string) => w.hops.filter((h) => h.direction === d).map((h) => `${h.node}:${h.hook}:${h.table}/${h.chain}`);
    expect(seq('request')).toEqual([
      'tr-red:output:nslab_trace/output',
      'tr-red:postrouting:nslab_trace/postrouting',
      'tr-router:prerouting:nslab_trace/prerouting',
      'tr-router:forward:nslab_trace/forward',
      'tr-router:forward:filter/FORWARD',
      'tr-router:postrouting:nslab_trace/postrouting',
      'tr-router:postrouting:nat/POSTROUTING',
      'tr-blue:prerouting:nslab_trace/prerouting',
      'tr-blue:input:nslab_trace/input',
    ]);
    expect(seq('reply')[0]).toBe('tr-blue:output:nslab_trace/output');
    expect(seq('reply').at(-1)).toBe('tr-red:input:nslab_trace/input');
    const masq = w.hops.find((h) => h.table === 'nat')!;
    expect(masq.rules[0]).toMatchObject({ handle: expect.any(Number), iptables: 'iptables -t nat -A POSTROUTING -o b0 -m comment --comment nslab:test -j MASQUERADE', verdict: 'accept' });
    const snat = w.hops.flatMap((h) => h.nat).find((n) => n.kind === 'snat')!;
    expect(snat).toMatchObject({ field: 'saddr', from: '10.93.1.2', to: '10.93.2.1', rule: masq.rules[0]!.iptables });
    const denat = w.hops.filter((h) => h.direction === 'reply').flatMap((h) => h.nat);
    expect(denat).toEqual([{ field: 'daddr', from: '10.93.2.1', to: '10.93.1.2', kind: 'de-nat', rule: masq.rules[0]!.iptables }]);
    expect(w.fates.map((f) => [f.direction, f.kind, f.netns])).toEqual([
      ['request', 'delivered', 'nslab-tr-blue'],
      ['reply', 'delivered', 'nslab-tr-red'],
    ]);
    // Every handle resolved, none "unknown" (the raw listener printed "unknown rule handle" for the trace table).
    expect(w.hops.flatMap((h) => h.rules).every((r) => r.nft && !/unknown|removed since/.test(r.nft))).toBe(true);
    // conntrack's verdict, from the observer rules (resolved by handle in the router)
    expect(w.hops.find((h) => h.node === 'tr-router' && h.hook === 'forward' && h.direction === 'request')!.ct).toBe('new');
    expect(w.hops.find((h) => h.node === 'tr-router' && h.hook === 'forward' && h.direction === 'reply')!.ct).toBe('established');
  });

  it('follows a jump into a user chain and ends at the DROP rule there', () => {
    const w = walk('tcp-dropped', 'tcp', markerOf('tcp-dropped'));
    const fwd = w.hops.find((h) => h.table === 'filter' && h.chain === 'FORWARD')!;
    expect(fwd.rules.map((r) => [r.chain, r.verdict])).toEqual([
      ['FORWARD', 'jump NSLAB-USER'],
      ['NSLAB-USER', 'drop'],
    ]);
    expect(fwd.verdict).toBe('drop');
    expect(w.fates).toEqual([
      expect.objectContaining({ direction: 'request', kind: 'dropped', netns: 'nslab-tr-router', rule: 'iptables -A NSLAB-USER -p tcp -m tcp --dport 9 -j DROP' }),
    ]);
  });

  it('ends at the FORWARD policy DROP', () => {
    const w = walk('policy-drop', 'icmp', markerOf('policy-drop'));
    expect(w.hops.at(-1)).toMatchObject({ node: 'tr-router', hook: 'forward', table: 'filter', chain: 'FORWARD', verdict: 'drop', byPolicy: true });
    expect(w.fates[0]).toMatchObject({ kind: 'dropped', rule: null, detail: expect.stringContaining('FORWARD policy DROP') });
  });

  it('puts a TCP RST in the reply and a UDP port-unreachable in the error direction, conntrack RELATED', () => {
    const tcp = walk('tcp-refused', 'tcp', markerOf('tcp-refused'));
    expect(tcp.hops.filter((h) => h.direction === 'reply')[0]!.packet.tcpFlags).toMatch(/rst/);
    const udp = walk('udp-unreachable', 'udp', markerOf('udp-unreachable'));
    const errors = udp.hops.filter((h) => h.direction === 'error');
    expect(errors[0]).toMatchObject({ node: 'tr-blue', hook: 'output' });
    expect(errors.find((h) => h.node === 'tr-router' && h.hook === 'forward')!.ct).toBe('related');
    expect(udp.fates.map((f) => f.direction)).toEqual(['request', 'error']);
  });
});
