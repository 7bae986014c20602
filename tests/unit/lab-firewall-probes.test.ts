// The lab probes that look through the firewall reader (fw-counter) and the packet walk (trace), and the
// walk's join for a bridged hop (same TTL on both sides of the bridge), on nft monitor trace lines shaped
// like the kernel's (ping-failed's RED → host bridge → BLUE).
import { describe, expect, it } from 'vitest';
import type { FwRuleset, TraceWalk } from '../../electron/shared/contract/index.js';
import { countedPackets, judgeWalk, walkPath } from '../../electron/helper/labs/firewall-probes.js';
import { joinTrace, type RuleIndex } from '../../electron/helper/firewall/trace/join.js';
import type { TimedTraceLine } from '../../electron/helper/firewall/trace/listener.js';
import { parseTraceOutput } from '../../electron/helper/firewall/trace/monitor-parse.js';
import { LabSpec } from '../../electron/shared/labs/index.js';

const PKT = (dev: string, ttl: number, type: string, id: number) =>
  `${dev} ip saddr ${type === 'echo-request' ? '10.0.0.1 ip daddr 10.0.0.2' : '10.0.0.2 ip daddr 10.0.0.1'} ip dscp cs0 ip ecn not-ect ip ttl ${ttl} ip id ${id} ip length 84 icmp type ${type} icmp code net-unreachable icmp id 4242 icmp sequence 1`;

function chainLines(trace: string, chain: string, packet: string, table = 'nslab_trace'): string[] {
  return [`trace id ${trace} ip ${table} ${chain} packet: ${packet} `, `trace id ${trace} ip ${table} ${chain} unknown rule handle 7 (verdict continue)`, `trace id ${trace} ip ${table} ${chain} policy accept `];
}

/** What each namespace's listener printed for a bridged ping that was let through. */
const STREAMS: Record<string, string[]> = {
  'nslab-pf-red': [
    ...chainLines('aa000001', 'output', PKT('oif "eth0"', 64, 'echo-request', 100)),
    ...chainLines('aa000001', 'postrouting', PKT('oif "eth0"', 64, 'echo-request', 100)),
    ...chainLines('aa000004', 'prerouting', PKT('iif "eth0"', 64, 'echo-reply', 200)),
    ...chainLines('aa000004', 'input', PKT('iif "eth0"', 64, 'echo-reply', 200)),
  ],
  // BLUE's listener happened to be read before the host's: arrival order says nothing across namespaces.
  'nslab-pf-blue': [
    ...chainLines('bb000002', 'prerouting', PKT('iif "eth0"', 64, 'echo-request', 100)),
    ...chainLines('bb000002', 'input', PKT('iif "eth0"', 64, 'echo-request', 100)),
    ...chainLines('bb000003', 'output', PKT('oif "eth0"', 64, 'echo-reply', 200)),
    ...chainLines('bb000003', 'postrouting', PKT('oif "eth0"', 64, 'echo-reply', 200)),
  ],
  'nslab-pf-host': [
    ...chainLines('cc000001', 'prerouting', PKT('iif "veth-red"', 64, 'echo-request', 100)),
    ...chainLines('cc000001', 'forward', PKT('iif "veth-red" oif "veth-blue"', 64, 'echo-request', 100)),
    ...chainLines('cc000001', 'postrouting', PKT('oif "veth-blue"', 64, 'echo-request', 100)),
    ...chainLines('cc000003', 'prerouting', PKT('iif "veth-blue"', 64, 'echo-reply', 200)),
    ...chainLines('cc000003', 'forward', PKT('iif "veth-blue" oif "veth-red"', 64, 'echo-reply', 200)),
    ...chainLines('cc000003', 'postrouting', PKT('oif "veth-red"', 64, 'echo-reply', 200)),
  ],
};

const noRules: RuleIndex = { chain: () => null, rule: () => null };

function bridgedWalk(): TraceWalk {
  const lines: TimedTraceLine[] = [];
  let order = 0;
  for (const [netns, text] of Object.entries(STREAMS)) for (const line of parseTraceOutput(text.join('\n'))) lines.push({ netns, order: order++, at: order, line });
  const joined = joinTrace({ lines, proto: 'icmp', marker: 4242, from: 'nslab-pf-red', index: noRules });
  return { trace: 't', from: 'pf-red', to: '10.0.0.2', proto: 'icmp', marker: 4242, namespaces: Object.keys(STREAMS), probe: { ok: true, detail: '' }, ms: 1, ...joined };
}

describe('the walk across a bridge', () => {
  it('puts the bridging namespace before the one that delivers, though both saw the same TTL', () => {
    const w = bridgedWalk();
    expect(w.unjoined).toBe(0);
    expect(walkPath(w)).toBe('pf-red output → pf-red postrouting → pf-host prerouting → pf-host forward → pf-host postrouting → pf-blue prerouting → pf-blue input');
    const reply = w.hops.filter((h) => h.direction === 'reply').map((h) => `${h.node} ${h.hook}`);
    expect(reply).toEqual(['pf-blue output', 'pf-blue postrouting', 'pf-host prerouting', 'pf-host forward', 'pf-host postrouting', 'pf-red prerouting', 'pf-red input']);
    expect(w.fates.map((f) => `${f.direction}:${f.kind}:${f.netns}`)).toEqual(['request:delivered:nslab-pf-blue', 'reply:delivered:nslab-pf-red']);
  });

  it('judges a walk against a trace probe: fate, hooks passed, where and how it ended', () => {
    const w = bridgedWalk();
    expect(judgeWalk(w, { fate: 'delivered', through: [{ node: 'pf-host', hook: 'forward' }] })).toBeNull();
    expect(judgeWalk(w, { fate: undefined, through: [] })).toBeNull();
    expect(judgeWalk(w, { fate: 'dropped', through: [] })).toBe('the request was delivered, not dropped');
    expect(judgeWalk(w, { fate: 'delivered', through: [{ node: 'pf-host', hook: 'input' }] })).toBe('the request never reached INPUT in pf-host');
    expect(judgeWalk(w, { fate: 'delivered', through: [], at: { node: 'pf-host', hook: 'forward' } })).toBe('it ended at INPUT in pf-blue, not FORWARD in pf-host');
    expect(judgeWalk(w, { fate: 'delivered', through: [], at: { node: 'pf-blue', hook: 'input', policy: true } })).toBeNull();
  });
});

const RULESET: FwRuleset = {
  node: 'pf-host',
  netns: 'nslab-pf-host',
  iptablesBackend: 'nf_tables',
  legacyTables: false,
  writable: true,
  tables: [
    {
      source: 'iptables-nft',
      family: 'ip',
      name: 'filter',
      handle: 1,
      sets: [],
      chains: [
        {
          name: 'FORWARD', handle: 2, type: 'filter', hook: 'forward', priority: 0, policy: 'DROP', packets: 7, bytes: 588,
          rules: [
            { id: 'a', index: 0, handle: 5, iptables: 'iptables -A FORWARD -p icmp', words: ['-p', 'icmp'], nft: 'ip protocol icmp counter', target: null, comment: null, owner: null, packets: 3, bytes: 252 },
            { id: 'b', index: 1, handle: 6, iptables: 'iptables -A FORWARD -p icmp -j ACCEPT', words: ['-p', 'icmp', '-j', 'ACCEPT'], nft: 'ip protocol icmp counter accept', target: 'ACCEPT', comment: null, owner: null, packets: 2, bytes: 168 },
          ],
        },
      ],
    },
    {
      source: 'nft',
      family: 'inet',
      name: 'nslab_manual',
      handle: 9,
      sets: [],
      chains: [
        { name: 'fwd', handle: 1, type: 'filter', hook: 'forward', priority: 0, policy: 'accept', packets: null, bytes: null, rules: [{ id: 'c', index: 0, handle: 3, iptables: null, words: null, nft: 'ip saddr 10.0.0.1 counter accept', target: 'accept', comment: null, owner: 'manual', packets: 4, bytes: 336 }] },
      ],
    },
  ],
};

describe('fw-counter', () => {
  it('sums the matching rules, reads a policy counter, finds nft rules by their text', () => {
    expect(countedPackets(RULESET, { table: 'filter', chain: 'FORWARD', match: ['-p', 'icmp'], nft: undefined, policy: false })).toEqual({ packets: 5, rules: 2 });
    expect(countedPackets(RULESET, { table: 'filter', chain: 'FORWARD', match: ['-j', 'ACCEPT'], nft: undefined, policy: false })).toEqual({ packets: 2, rules: 1 });
    expect(countedPackets(RULESET, { table: 'filter', chain: 'FORWARD', match: [], nft: undefined, policy: true })).toEqual({ packets: 7, rules: 0 });
    expect(countedPackets(RULESET, { table: 'nslab_manual', chain: 'fwd', match: [], nft: 'saddr 10.0.0.1', policy: false })).toEqual({ packets: 4, rules: 1 });
    expect(countedPackets(RULESET, { table: 'filter', chain: 'INPUT', match: [], nft: undefined, policy: true })).toBeNull();
    expect(countedPackets(RULESET, { table: 'filter', chain: 'FORWARD', match: ['-j', 'DROP'], nft: undefined, policy: false })).toBeNull();
  });

  it('a lab naming a node or address outside its topology in a trace probe is refused', () => {
    const lab = (check: unknown) =>
      LabSpec.safeParse({
        id: 'x-lab', title: { en: 'x', ko: 'x' }, summary: { en: 'x', ko: 'x' }, level: 'beginner', minutes: 1, order: 1, topics: ['x'],
        topology: { nodes: [{ name: 'a' }, { name: 'b' }], links: [{ endpoints: [{ node: 'a', name: 'eth0', addresses: ['10.9.0.1/24'] }, { node: 'b', name: 'eth0', addresses: ['10.9.0.2/24'] }] }] },
        steps: [{ id: 's', title: { en: 'x', ko: 'x' }, goal: { en: 'x', ko: 'x' }, check: [check] }],
      });
    expect(lab({ probe: 'trace', from: 'a', to: '10.9.0.2', fate: 'delivered', through: [{ node: 'b', hook: 'input' }] }).success).toBe(true);
    expect(lab({ probe: 'trace', from: 'a', to: '10.9.9.9' }).error?.issues[0]?.message).toMatch(/not an address of this lab/);
    expect(lab({ probe: 'trace', from: 'a', to: '10.9.0.2', through: [{ node: 'c', hook: 'input' }] }).error?.issues[0]?.message).toMatch(/'c' is not a node/);
    expect(lab({ probe: 'trace', from: 'a', to: '10.9.0.2', fate: 'eaten' }).success).toBe(false);
    expect(lab({ probe: 'fw-counter', node: 'a', chain: 'FORWARD', policy: true }).success).toBe(true);
    expect(lab({ probe: 'fw-counter', node: 'a', chain: 'FORWARD', nft: 'x; drop' }).error?.issues[0]?.path).toContain('nft');
  });
});
