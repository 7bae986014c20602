// The Conntrack panel and store, the Firewall panel's structured rule form, policy control and zero-hit
// flags, the walk replayed across several namespaces' diagrams, and the Topology panel's "Trace from here
// to …", against a scripted api held to the contract.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConntrackEntry, FwRuleset, TraceHop, TraceWalk } from '../../electron/shared/contract/index';
import { createAppI18n } from '../../renderer/src/i18n';
import ConntrackPanel from '../../renderer/src/panels/Conntrack/ConntrackPanel.vue';
import FirewallPanel from '../../renderer/src/panels/Firewall/FirewallPanel.vue';
import { emptyRuleForm, ruleFormLine, ruleWords } from '../../renderer/src/panels/Firewall/ruleForm';
import TopologyPanel from '../../renderer/src/panels/Topology/TopologyPanel.vue';
import TraceFromHere from '../../renderer/src/panels/Topology/TraceFromHere.vue';
import { CT_STORAGE, applyEvent, entryKey, flushMatchOf, useConntrackStore } from '../../renderer/src/stores/conntrack';
import { FW_STORAGE, useFirewallStore } from '../../renderer/src/stores/firewall';
import { useTopologyStore } from '../../renderer/src/stores/topology';
import { useUiStore } from '../../renderer/src/stores/ui';
import { fakeApi, redBlue, takeViolations } from './fake-api';

const MASQ = 'iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE';
const entry = (extra: Partial<ConntrackEntry> = {}): ConntrackEntry => ({
  id: 11,
  family: 'ipv4',
  protocol: 'tcp',
  timeout: 117,
  state: 'SYN_SENT',
  flags: ['UNREPLIED'],
  original: { src: '10.0.0.1', dst: '10.0.9.9', sport: 40000, dport: 80 },
  reply: { src: '10.0.9.9', dst: '10.0.9.1', sport: 80, dport: 40000 },
  nat: [{ kind: 'snat', from: '10.0.0.1:40000', to: '10.0.9.1:40000' }],
  mark: 0,
  zone: null,
  natRule: MASQ,
  ...extra,
});
const stats = { found: 0, invalid: 2, insert: 0, insertFailed: 0, drop: 0, earlyDrop: 0, error: 0 };

const natRuleset = (): FwRuleset => ({
  node: 'red',
  netns: 'nslab-red',
  iptablesBackend: 'nf_tables',
  legacyTables: false,
  writable: true,
  tables: [
    {
      source: 'iptables-nft', family: 'ip', name: 'nat', handle: 1, sets: [],
      chains: [{ name: 'POSTROUTING', handle: 1, type: 'nat', hook: 'postrouting', priority: 100, policy: 'ACCEPT', packets: 0, bytes: 0, rules: [{ id: 'iptables-nft/ip/nat/POSTROUTING#4', index: 0, handle: 4, iptables: MASQ, words: ['-o', 'eth1', '-j', 'MASQUERADE'], nft: 'oifname "eth1" counter masquerade', target: 'MASQUERADE', comment: null, owner: null, packets: 1, bytes: 60 }] }],
    },
    {
      source: 'iptables-nft', family: 'ip', name: 'filter', handle: 2, sets: [],
      chains: [{ name: 'FORWARD', handle: 1, type: 'filter', hook: 'forward', priority: 0, policy: 'ACCEPT', packets: 3, bytes: 252, rules: [{ id: 'iptables-nft/ip/filter/FORWARD#7', index: 0, handle: 7, iptables: 'iptables -A FORWARD -p icmp', words: ['-p', 'icmp'], nft: 'ip protocol icmp counter', target: null, comment: null, owner: null, packets: 0, bytes: 0 }] }],
    },
  ],
});

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  setActivePinia(createPinia());
});

describe('conntrack store', () => {
  it('applies NEW, UPDATE and DESTROY to the table, keeps the nat rule the NEW brought, counts lost events', async () => {
    const a = fakeApi({
      'ct.list': () => ({ netns: 'nslab-red', acct: false, entries: [], stats }),
      'ct.watch': () => ({ netns: 'nslab-red' }),
      'ct.unwatch': () => ({ netns: 'nslab-red', lost: 0 }),
    });
    const ct = useConntrackStore();
    await ct.show('red');
    expect(a.calls.map((c) => c.method)).toEqual(['ct.list', 'ct.watch', 'ct.list']);
    expect(ct.watching).toBe('red');
    a.emit('ct.event', { kind: 'entry', netns: 'nslab-red', type: 'NEW', at: 1, entry: entry() });
    a.emit('ct.event', { kind: 'entry', netns: 'nslab-other', type: 'NEW', at: 1, entry: entry({ id: 99 }) });
    expect(ct.entries).toHaveLength(1);
    a.emit('ct.event', { kind: 'entry', netns: 'nslab-red', type: 'UPDATE', at: 2, entry: entry({ state: 'ESTABLISHED', flags: ['ASSURED'], natRule: null }) });
    expect(ct.entries[0]).toMatchObject({ state: 'ESTABLISHED', natRule: MASQ });
    expect(ct.log.map((l) => l.type)).toEqual(['UPDATE', 'NEW']);
    a.emit('ct.event', { kind: 'lost', netns: 'nslab-red', at: 3, lost: 2 });
    expect(ct.lost).toBe(2);
    a.emit('ct.event', { kind: 'entry', netns: 'nslab-red', type: 'DESTROY', at: 4, entry: entry({ timeout: null }) });
    expect(ct.entries).toEqual([]);
    expect(localStorage.getItem(CT_STORAGE.node)).toBe('red');
    await ct.setLive(false);
    expect(a.calls.at(-1)).toEqual({ method: 'ct.unwatch', params: { node: 'red' } });
    expect(localStorage.getItem(CT_STORAGE.live)).toBe('off');
    expect(takeViolations()).toEqual([]);
  });

  it('reads the table again once the watch listens, keeping an event that came while that read was on its way', async () => {
    let reads = 0;
    const a = fakeApi({
      'ct.list': () => {
        // the second read's answer was taken before the flow's NEW, which arrives ahead of it
        if (++reads === 2) a.emit('ct.event', { kind: 'entry', netns: 'nslab-red', type: 'NEW', at: 1, entry: entry() });
        return { netns: 'nslab-red', acct: false, entries: reads === 2 ? [entry({ id: 5, original: { src: '10.0.0.5', dst: '10.0.9.9', sport: 1, dport: 80 } })] : [], stats };
      },
      'ct.watch': () => ({ netns: 'nslab-red' }),
      'ct.unwatch': () => ({ netns: 'nslab-red', lost: 0 }),
    });
    const ct = useConntrackStore();
    await ct.show('red');
    expect(ct.entries.map((e) => e.id).sort()).toEqual([11, 5].sort());
    expect(takeViolations()).toEqual([]);
  });

  it('a node chosen while the first one’s watch is on its way ends watching the chosen node, with its table', async () => {
    // The panel shows its first node on mount; the person picks another before that watch has answered.
    const watched = new Set<string>();
    let release = (): void => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    let releaseRed = (): void => undefined;
    const slowRed = new Promise<void>((resolve) => (releaseRed = resolve));
    const list = (node: string) => ({ netns: `nslab-${node}`, acct: false, entries: node === 'red' ? [entry({ id: 1 })] : [], stats });
    const a = fakeApi({
      'ct.list': (p) => list((p as { node: string }).node),
      'ct.watch': async (p) => {
        const { node } = p as { node: string };
        watched.add(node);
        await (node === 'blue' ? slow : slowRed);
        return { netns: `nslab-${node}` };
      },
      'ct.unwatch': (p) => {
        const { node } = p as { node: string };
        watched.delete(node);
        return { netns: `nslab-${node}`, lost: 0 };
      },
    });
    const ct = useConntrackStore();
    const first = ct.show('blue');
    await expect.poll(() => watched.has('blue')).toBe(true);
    const second = ct.show('red');
    await flushPromises();
    release();
    // blue's watch has answered and red's is asked for, not yet answered: the node shown is not watched yet
    await expect.poll(() => watched.has('red')).toBe(true);
    expect(ct.watchingShown).toBe(false);
    releaseRed();
    await Promise.all([first, second]);
    expect(ct.watchingShown).toBe(true);
    expect([...watched]).toEqual(['red']);
    expect(ct.node).toBe('red');
    expect(ct.watching).toBe('red');
    expect(ct.netns).toBe('nslab-red');
    expect(ct.entries.map((e) => e.id)).toEqual([1]);
    a.emit('ct.event', { kind: 'entry', netns: 'nslab-red', type: 'NEW', at: 1, entry: entry({ id: 2 }) });
    expect(ct.entries.map((e) => e.id).sort()).toEqual([1, 2]);
    expect(takeViolations()).toEqual([]);
  });

  it('a watch that ended before its ct.watch reply arrived is not shown as watching', async () => {
    const a = fakeApi({
      'ct.list': () => ({ netns: 'nslab-red', acct: false, entries: [], stats }),
      'ct.watch': () => (a.emit('ct.event', { kind: 'end', netns: 'nslab-red', at: 1, reason: 'conntrack exited with 1' }), { netns: 'nslab-red' }),
      'ct.unwatch': () => ({ netns: 'nslab-red', lost: 0 }),
    });
    const ct = useConntrackStore();
    await ct.show('red');
    expect(ct.ended).toBe('conntrack exited with 1');
    expect(ct.watching).toBeNull();
    expect(takeViolations()).toEqual([]);
  });

  it('flushes one entry by its original tuple (no ports for icmp)', () => {
    expect(flushMatchOf(entry())).toEqual({ protocol: 'tcp', src: '10.0.0.1', dst: '10.0.9.9', sport: 40000, dport: 80 });
    expect(flushMatchOf(entry({ protocol: 'icmp', original: { src: '10.0.0.1', dst: '10.0.0.2', type: 8, code: 0, id: 7 } }))).toEqual({ protocol: 'icmp', src: '10.0.0.1', dst: '10.0.0.2' });
    expect(flushMatchOf(entry({ protocol: 'sctp' }))).toBeNull();
    expect(entryKey(entry({ id: null }))).toBe('tcp 10.0.0.1:40000 → 10.0.9.9:80');
    expect(applyEvent([entry()], 'NEW', entry({ id: 12 }))).toHaveLength(2);
  });
});

describe('conntrack panel', () => {
  it('lists an entry with its tuples, NAT and rule; flushes it after confirming; the rule opens in the Firewall panel', async () => {
    let listed = [entry()];
    const a = fakeApi({
      'topology.show': () => ({ name: null, nodes: redBlue() }),
      'topology.list': () => ({ applied: [], builtin: [] }),
      'ct.list': () => ({ netns: 'nslab-red', acct: true, entries: listed, stats }),
      'ct.watch': () => ({ netns: 'nslab-red' }),
      'ct.unwatch': () => ({ netns: 'nslab-red', lost: 0 }),
      'ct.flush': () => ((listed = []), { netns: 'nslab-red', deleted: 1 }),
      'fw.show': () => natRuleset(),
      'fw.watch': () => ({ watching: ['nslab-red'], interval: 1000 }),
      'fw.unwatch': () => ({ watching: [] }),
    });
    const w = mount(ConntrackPanel, { global: { plugins: [createAppI18n('en')] } });
    await flushPromises();
    const row = w.find('[data-testid="ct-entry"]');
    expect(row.text()).toContain('10.0.0.1:40000 → 10.0.9.9:80');
    expect(row.find('[data-testid="ct-nat"]').text()).toContain('SNAT 10.0.0.1:40000 → 10.0.9.1:40000');
    expect(row.find('[data-testid="ct-nat-rule"]').text()).toBe(MASQ);
    expect(w.find('[data-testid="ct-stats"]').text()).toContain('invalid 2');
    expect(w.find('[data-testid="ct-watching"]').exists()).toBe(true);

    // Delete on the focused row asks first; cancelling flushes nothing
    await row.trigger('keydown', { key: 'Delete' });
    await flushPromises();
    expect(w.find('[data-testid="ct-flush-confirm"]').exists()).toBe(true);
    await w.find('[data-testid="ct-flush-confirm-cancel"]').trigger('click');
    await flushPromises();
    expect(a.calls.some((c) => c.method === 'ct.flush')).toBe(false);
    await w.find('[data-testid="ct-flush"]').trigger('click');
    await flushPromises();
    await w.find('[data-testid="ct-flush-confirm-confirm"]').trigger('click');
    await flushPromises();
    expect(a.calls.find((c) => c.method === 'ct.flush')?.params).toEqual({ node: 'red', match: { protocol: 'tcp', src: '10.0.0.1', dst: '10.0.9.9', sport: 40000, dport: 80 } });
    expect(w.find('[data-testid="ct-entry"]').exists()).toBe(false);

    // a live NEW shows in the table and the log
    a.emit('ct.event', { kind: 'entry', netns: 'nslab-red', type: 'NEW', at: Date.now(), entry: entry({ id: 12 }) });
    await flushPromises();
    expect(w.findAll('[data-testid="ct-entry"]')).toHaveLength(1);
    expect(w.find('[data-testid="ct-event"]').attributes('data-type')).toBe('NEW');

    await w.find('[data-testid="ct-nat-rule"]').trigger('click');
    await flushPromises();
    expect(useUiStore().panel).toBe('firewall');
    const fw = useFirewallStore();
    expect(fw.openChain).toBe('iptables-nft/ip/nat/POSTROUTING');
    expect(fw.focusRule).toBe('iptables-nft/ip/nat/POSTROUTING#4');
    w.unmount();
    expect(takeViolations()).toEqual([]);
  });
});

describe('structured rule form', () => {
  it('turns fields into rule words and the line a person would type; names the field it cannot take', () => {
    const f = { ...emptyRuleForm(), table: 'nat' as const, chain: 'POSTROUTING', source: '10.0.0.0/24', outIface: '! br0', target: 'MASQUERADE' };
    const r = ruleWords(f);
    expect(r).toEqual({ words: ['-s', '10.0.0.0/24', '!', '-o', 'br0', '-j', 'MASQUERADE'] });
    expect(ruleFormLine(f, (r as { words: string[] }).words)).toBe('iptables -t nat -A POSTROUTING -s 10.0.0.0/24 ! -o br0 -j MASQUERADE');
    const g = { ...emptyRuleForm(), protocol: 'tcp' as const, dport: '8080', ctstate: ['NEW', 'ESTABLISHED'], position: 2 };
    const words = (ruleWords(g) as { words: string[] }).words;
    expect(ruleFormLine(g, words)).toBe('iptables -I FORWARD 2 -p tcp --dport 8080 -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT');
    expect(ruleWords({ ...emptyRuleForm(), dport: '80' })).toEqual({ problem: { field: 'dport', key: 'dportProto' } });
    expect(ruleWords({ ...emptyRuleForm(), protocol: 'udp', dport: '70000' })).toEqual({ problem: { field: 'dport', key: 'dport' } });
    expect(ruleWords({ ...emptyRuleForm(), source: '10.0.0.0/24; rm' })).toEqual({ problem: { field: 'source', key: 'address' } });
    const matches = { ...emptyRuleForm(), outIface: 'br0', inIface: ' veth-red ', destination: ' ! 10.1.0.0/16', source: '10.0.0.1' };
    expect(ruleWords(matches)).toEqual({ words: ['-s', '10.0.0.1', '!', '-d', '10.1.0.0/16', '-i', 'veth-red', '-o', 'br0', '-j', 'ACCEPT'] });
    expect(ruleWords({ ...matches, outIface: 'an-interface-name-too-long' })).toEqual({ problem: { field: 'outIface', key: 'iface' } });
    expect(ruleWords({ ...emptyRuleForm(), target: 'DNAT', table: 'nat', chain: 'PREROUTING' })).toEqual({ problem: { field: 'targetArg', key: 'targetArg' } });
    expect(ruleWords({ ...emptyRuleForm(), target: '' })).toEqual({ problem: { field: 'target', key: 'empty' } });
  });
});

const hop = (node: string, hook: TraceHop['hook'], extra: Partial<TraceHop> = {}): TraceHop => ({ direction: 'request', netns: `nslab-${node}`, node, hook, family: 'ip', table: 'nslab_trace', chain: hook ?? 'x', priority: -350, observer: true, packet: {}, rules: [], verdict: 'continue', byPolicy: false, ct: null, nat: [], ...extra });
const twoNsWalk = (): TraceWalk => ({
  trace: 't2', from: 'red', to: '10.0.0.2', proto: 'icmp', marker: 9, namespaces: ['nslab-red', 'nslab-blue'],
  hops: [hop('red', 'output'), hop('red', 'postrouting'), hop('blue', 'prerouting'), hop('blue', 'input'), hop('blue', 'input', { observer: false, table: 'filter', chain: 'INPUT', priority: 0, verdict: 'drop', byPolicy: true })],
  fates: [{ direction: 'request', kind: 'dropped', netns: 'nslab-blue', detail: 'dropped in blue by the INPUT policy DROP (filter table, input hook)', rule: null }],
  probe: { ok: false, detail: '100% packet loss' }, unjoined: 0, ms: 12,
});

describe('firewall panel: form, policy, zero hits, the walk on every diagram', () => {
  function api() {
    const blue: FwRuleset = { ...natRuleset(), node: 'blue', netns: 'nslab-blue', tables: [{ source: 'iptables-nft', family: 'ip', name: 'filter', handle: 1, sets: [], chains: [{ name: 'INPUT', handle: 1, type: 'filter', hook: 'input', priority: 0, policy: 'DROP', packets: 1, bytes: 84, rules: [] }] }] };
    return fakeApi({
      'topology.show': () => ({ name: null, nodes: redBlue() }),
      'topology.list': () => ({ applied: [], builtin: [] }),
      'fw.show': (p) => ((p as { node?: string }).node === 'blue' ? blue : natRuleset()),
      'fw.watch': () => ({ watching: ['nslab-red'], interval: 1000 }),
      'fw.unwatch': () => ({ watching: [] }),
      'fw.rule.add': () => ({ netns: 'nslab-red', commands: ['iptables -A FORWARD -p tcp --dport 22 -j DROP'], rules: [] }),
      'fw.policy.set': () => ({ netns: 'nslab-red', commands: ['iptables -P FORWARD DROP'] }),
      'trace.run': () => twoNsWalk(),
    });
  }

  it('a node chosen while the first one’s ruleset is on its way shows the chosen node’s rules', async () => {
    const a = api();
    const fastRed = a.handlers.get('fw.show')!;
    let release = (): void => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    a.handlers.set('fw.show', async (p) => {
      if ((p as { node?: string }).node === 'blue') await slow;
      return fastRed(p);
    });
    const fw = useFirewallStore();
    const first = fw.show('blue');
    await expect.poll(() => a.calls.some((c) => c.method === 'fw.show')).toBe(true);
    const second = fw.show('red');
    await second;
    release();
    await first;
    expect(fw.node).toBe('red');
    expect(fw.ruleset?.netns).toBe('nslab-red');
    expect(a.calls.filter((c) => c.method === 'fw.watch').at(-1)?.params).toEqual({ targets: [{ node: 'red' }] });
    expect(takeViolations()).toEqual([]);
  });

  it('adds a rule from the form, sets a policy after confirming, flags rules never hit', async () => {
    const a = api();
    const w = mount(FirewallPanel, { global: { plugins: [createAppI18n('en')] } });
    const fw = useFirewallStore();
    await fw.show('red');
    await flushPromises();
    await w.find('[data-testid="form-protocol"]').setValue('tcp');
    await w.find('[data-testid="form-dport"]').setValue('22');
    await w.find('[data-testid="form-target"]').setValue('DROP');
    expect(w.find('[data-testid="form-preview"]').text()).toBe('iptables -A FORWARD -p tcp --dport 22 -j DROP');
    await w.find('[data-testid="fw-rule-form"]').trigger('submit');
    await flushPromises();
    expect(a.calls.find((c) => c.method === 'fw.rule.add')?.params).toEqual({ node: 'red', iptables: { table: 'filter', chain: 'FORWARD', rule: ['-p', 'tcp', '--dport', '22', '-j', 'DROP'] } });
    await w.find('[data-testid="form-source"]').setValue('10.0.0.0/24 or more');
    expect(w.find('[data-testid="form-problem"]').text()).toContain('IPv4');
    expect(w.find('[data-testid="form-add"]').attributes('disabled')).toBeDefined();

    a.emit('fw.counters', { t: 1, interval: 1000, netns: 'nslab-red', node: 'red', rules: [{ id: 'iptables-nft/ip/filter/FORWARD#7', packets: 0, bytes: 0, dPackets: 0, dBytes: 0, zeroSinceWatch: true, zeroSinceStart: true }, { id: 'iptables-nft/ip/nat/POSTROUTING#4', packets: 1, bytes: 60, dPackets: 0, dBytes: 0, zeroSinceWatch: true, zeroSinceStart: false }], policies: [], removed: [], total: 2, zeroSinceWatch: 2, changed: false });
    await flushPromises();
    expect(w.find('[data-testid="fw-zero-summary"]').text()).toBe('1 never hit · 2 of 2 no hits since watching');
    await w.find('[data-testid="chain-iptables-nft/ip/filter/FORWARD"]').trigger('click');
    expect(w.find('[data-testid="zero-start-0"]').text()).toBe('never hit');
    await w.find('[data-testid="chain-iptables-nft/ip/nat/POSTROUTING"]').trigger('click');
    expect(w.find('[data-testid="zero-watch-0"]').text()).toBe('no hits since watching');

    await w.find('[data-testid="chain-iptables-nft/ip/filter/FORWARD"]').trigger('click');
    expect(w.find('[data-testid="fw-policy-ACCEPT"]').attributes('disabled')).toBeDefined();
    await w.find('[data-testid="fw-policy-DROP"]').trigger('click');
    await flushPromises();
    expect(a.calls.some((c) => c.method === 'fw.policy.set')).toBe(false);
    await w.find('[data-testid="fw-policy-confirm-confirm"]').trigger('click');
    await flushPromises();
    expect(a.calls.find((c) => c.method === 'fw.policy.set')?.params).toEqual({ node: 'red', table: 'filter', chain: 'FORWARD', policy: 'DROP' });
    w.unmount();
    expect(takeViolations()).toEqual([]);
  });

  it('keeps the node and the last walk across a reload, and reads the walk’s diagrams again', async () => {
    const a = api();
    const fw = useFirewallStore();
    await fw.show('red');
    await fw.trace({ from: 'red', to: '10.0.0.2', proto: 'icmp', timeoutMs: 1500 });
    fw.stop();
    expect(localStorage.getItem(FW_STORAGE.node)).toBe('red');
    setActivePinia(createPinia()); // a reload: fresh stores, same storage
    const again = useFirewallStore();
    expect(again.node).toBe('red');
    expect(again.walk?.trace).toBe('t2');
    const before = a.calls.length;
    const w = mount(FirewallPanel, { global: { plugins: [createAppI18n('en')] } });
    await flushPromises();
    expect(w.findAll('.walk-ns')).toHaveLength(2);
    const shown = a.calls.slice(before).filter((c) => c.method === 'fw.show').map((c) => c.params);
    expect(shown).toContainEqual({ node: 'red' });
    expect(shown).toContainEqual({ node: 'blue' });
    expect(a.calls.slice(before).some((c) => c.method === 'trace.run')).toBe(false);
    w.unmount();
    expect(takeViolations()).toEqual([]);
  });

  it('replays a walk on the diagram of each namespace it crossed; the arrow keys step through it', async () => {
    api();
    const w = mount(FirewallPanel, { global: { plugins: [createAppI18n('en')] } });
    const fw = useFirewallStore();
    await fw.show('red');
    await w.find('[data-testid="trace-to"]').setValue('10.0.0.2');
    await w.find('form.fw-trace').trigger('submit');
    await flushPromises();
    expect(w.findAll('.walk-ns').map((x) => x.attributes('data-testid'))).toEqual(['walk-ns-red', 'walk-ns-blue']);
    fw.stepTo(0);
    await flushPromises();
    expect(w.find('[data-testid="walk-ns-red"] [data-testid="hook-output"]').classes()).toContain('lit');
    expect(w.find('[data-testid="walk-ns-blue"] .hook-column.lit').exists()).toBe(false);
    await w.find('[data-testid="hop-0"]').trigger('keydown', { key: 'End' });
    await flushPromises();
    expect(fw.step).toBe(4);
    const blue = w.find('[data-testid="walk-ns-blue"]');
    expect(blue.find('[data-testid="hook-input"]').classes()).toContain('lit');
    expect(blue.find('[data-testid="hop-verdict"]').text()).toBe('DROP (policy)');
    expect(w.find('[data-testid="walk-ns-red"] .hook-column.lit').exists()).toBe(false);
    await w.find('[data-testid="hop-4"]').trigger('keydown', { key: 'ArrowLeft' });
    expect(fw.step).toBe(3);
    expect(w.find('[data-testid="fw-fate"]').text()).toContain('INPUT policy DROP');
    w.unmount();
    expect(takeViolations()).toEqual([]);
  });

  it('"Trace from here to …" picks a node’s address, runs the trace from the selected node and opens the walk', async () => {
    const a = api();
    const topo = useTopologyStore();
    await topo.start();
    const w = mount(TraceFromHere, { props: { node: topo.nodes[0]! }, global: { plugins: [createAppI18n('en')] } });
    await w.find('[data-testid="trace-from-open"]').trigger('click');
    await w.find('[data-testid="trace-from-pick"]').setValue('10.0.0.2');
    await w.find('[data-testid="trace-from-proto"]').setValue('tcp');
    await w.find('[data-testid="trace-from-dport"]').setValue('70000');
    expect(w.find('[data-testid="trace-from-run"]').attributes('disabled')).toBeDefined();
    await w.find('[data-testid="trace-from-dport"]').setValue('8080');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(useUiStore().panel).toBe('firewall');
    expect(a.calls.find((c) => c.method === 'trace.run')?.params).toEqual({ from: 'red', to: '10.0.0.2', proto: 'tcp', dport: 8080, timeoutMs: 1500 });
    expect(useFirewallStore().walk?.trace).toBe('t2');
    expect(useFirewallStore().node).toBe('red');
    w.unmount();
    expect(takeViolations()).toEqual([]);
  });

  it('opens "Trace from here to …" from the node list with T (the graph’s right-click does the same)', async () => {
    api();
    const GraphStub = { name: 'TopologyGraph', props: ['model', 'selected', 'theme'], emits: ['select', 'trace'], template: '<div data-testid="graph-stub" @contextmenu="$emit(\'trace\', \'blue\')" />' };
    const w = mount(TopologyPanel, { global: { plugins: [createAppI18n('en')], stubs: { TopologyGraph: GraphStub, BuildForms: true, ShippedList: true } }, attachTo: document.body });
    await flushPromises();
    await w.find('[data-testid="node-item-red"]').trigger('keydown', { key: 't' });
    await flushPromises();
    expect(useTopologyStore().selected).toBe('red');
    expect(w.find('[data-testid="trace-from-to"]').exists()).toBe(true);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('trace-from-to');
    await w.find('[data-testid="graph-stub"]').trigger('contextmenu');
    await flushPromises();
    expect(useTopologyStore().selected).toBe('blue');
    expect(w.find('[data-testid="node-details"] h2').text()).toContain('blue');
    expect(w.find('[data-testid="trace-from-to"]').exists()).toBe(true);
    w.unmount();
    expect(takeViolations()).toEqual([]);
  });
});
