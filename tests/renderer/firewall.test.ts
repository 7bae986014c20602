// The Firewall store and panel against a scripted api: a node's chains on the 5-hook diagram in priority
// order, live counters from fw.counters, a chain's rules, delete after confirming, and a walk replayed hop by hop.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FwRuleset, TraceHop, TraceWalk } from '../../electron/shared/contract/index';
import { createAppI18n } from '../../renderer/src/i18n';
import FirewallPanel from '../../renderer/src/panels/Firewall/FirewallPanel.vue';
import { hookColumns } from '../../renderer/src/panels/Firewall/hooks';
import { WALK_STEP_MS, useFirewallStore } from '../../renderer/src/stores/firewall';
import { fakeApi, redBlue, takeViolations } from './fake-api';

const rule = { id: 'iptables-nft/ip/filter/FORWARD#5', index: 0, handle: 5, iptables: 'iptables -t filter -A FORWARD -s 10.0.1.0/24 -j ACCEPT', words: ['-s', '10.0.1.0/24', '-j', 'ACCEPT'], nft: 'ip saddr 10.0.1.0/24 counter accept', target: 'ACCEPT', comment: null, owner: null, packets: 3, bytes: 252 };
const chain = (name: string, hook: FwRuleset['tables'][number]['chains'][number]['hook'], priority: number, rules = [] as (typeof rule)[]) => ({ name, handle: 1, type: 'filter', hook, priority, policy: 'DROP', packets: 1, bytes: 84, rules });
const ruleset = (): FwRuleset => ({
  node: 'red',
  netns: 'nslab-red',
  iptablesBackend: 'nf_tables',
  legacyTables: false,
  writable: true,
  tables: [
    { source: 'iptables-nft', family: 'ip', name: 'filter', handle: 1, sets: [], chains: [chain('FORWARD', 'forward', 0, [rule]), chain('INPUT', 'input', 0)] },
    { source: 'nft', family: 'inet', name: 'nslab_manual', handle: 2, sets: [], chains: [chain('early', 'forward', -300)] },
  ],
});
const hop = (chainName: string, table: string, extra: Partial<TraceHop> = {}): TraceHop => ({ direction: 'request', netns: 'nslab-red', node: 'red', hook: 'forward', family: 'ip', table, chain: chainName, priority: 0, observer: false, packet: {}, rules: [], verdict: 'accept', byPolicy: false, ct: null, nat: [], ...extra });
const walk = (): TraceWalk => ({ trace: 't1', from: 'red', to: '10.0.2.2', proto: 'icmp', marker: 7, namespaces: ['nslab-red'], hops: [hop('early', 'nslab_manual'), hop('FORWARD', 'filter', { verdict: 'drop', byPolicy: true })], fates: [{ direction: 'request', kind: 'dropped', netns: 'nslab-red', detail: 'dropped by FORWARD policy DROP in red', rule: null }], probe: { ok: false, detail: '100% loss' }, unjoined: 0, ms: 40 });

function api() {
  return fakeApi({
    'fw.show': () => ruleset(),
    'fw.watch': () => ({ watching: ['nslab-red'], interval: 1000 }),
    'fw.unwatch': () => ({ watching: [] }),
    'fw.rule.delete': () => ({ netns: 'nslab-red', commands: ['iptables -D FORWARD 1'], rules: [] }),
    'trace.run': () => walk(),
    'topology.show': () => ({ name: null, nodes: redBlue() }),
    'topology.list': () => ({ applied: [], builtin: [] }),
  });
}

beforeEach(() => setActivePinia(createPinia()));

describe('hook diagram model', () => {
  it('puts every base chain on its hook, in priority order, iptables and nft together', () => {
    const cols = hookColumns(ruleset());
    expect(cols.map((c) => c.hook)).toEqual(['prerouting', 'input', 'forward', 'output', 'postrouting']);
    expect(cols.find((c) => c.hook === 'forward')!.chains.map((c) => c.chain.name)).toEqual(['early', 'FORWARD']);
  });
});

describe('firewall store', () => {
  it('shows a node, watches it and writes fw.counters into the rules', async () => {
    const a = api();
    const fw = useFirewallStore();
    await fw.show('red');
    expect(a.calls.map((c) => c.method)).toEqual(['fw.show', 'fw.watch']);
    a.emit('fw.counters', { t: 1, interval: 1000, netns: 'nslab-red', node: 'red', rules: [{ id: rule.id, packets: 10, bytes: 840, dPackets: 7, dBytes: 588, zeroSinceWatch: false, zeroSinceStart: false }], policies: [], removed: [], total: 1, zeroSinceWatch: 0, changed: false });
    expect(fw.ruleset!.tables[0]!.chains[0]!.rules[0]!.packets).toBe(10);
    expect(fw.deltas.get(rule.id)?.dPackets).toBe(7);
    expect(takeViolations()).toEqual([]);
  });

  it('replays a walk hop by hop', async () => {
    vi.useFakeTimers();
    try {
      api();
      const fw = useFirewallStore();
      await fw.show('red');
      await fw.trace({ from: 'red', to: '10.0.2.2', proto: 'icmp', timeoutMs: 1500 });
      expect(fw.currentHop?.chain).toBe('early');
      vi.advanceTimersByTime(WALK_STEP_MS);
      expect(fw.currentHop?.chain).toBe('FORWARD');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('firewall panel', () => {
  it('shows the diagram, opens a chain, deletes only after confirming, lists the walk', async () => {
    const a = api();
    const w = mount(FirewallPanel, { global: { plugins: [createAppI18n('en')] } });
    await useFirewallStore().show('red');
    await flushPromises();
    expect(w.find('[data-testid="hook-forward"]').text()).toContain('nslab_manual/early');
    await w.find('[data-testid="chain-iptables-nft/ip/filter/FORWARD"]').trigger('click');
    expect(w.find('[data-testid="rule-0"]').text()).toContain('-s 10.0.1.0/24 -j ACCEPT');
    await w.find('[data-testid="delete-0"]').trigger('click');
    await flushPromises();
    expect(a.calls.some((c) => c.method === 'fw.rule.delete')).toBe(false);
    expect(w.find('[data-testid="fw-delete-confirm"]').text()).toContain('-s 10.0.1.0/24 -j ACCEPT');
    await w.find('[data-testid="fw-delete-confirm-cancel"]').trigger('click');
    await flushPromises();
    expect(a.calls.some((c) => c.method === 'fw.rule.delete')).toBe(false);
    await w.find('[data-testid="delete-0"]').trigger('click');
    await flushPromises();
    await w.find('[data-testid="fw-delete-confirm-confirm"]').trigger('click');
    await flushPromises();
    expect(a.calls.find((c) => c.method === 'fw.rule.delete')?.params).toEqual({ node: 'red', id: rule.id });
    await w.find('[data-testid="trace-to"]').setValue('10.0.2.2');
    await w.find('form.fw-trace').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="fw-fate"]').text()).toContain('FORWARD policy DROP');
    expect(w.find('[data-testid="chain-nft/inet/nslab_manual/early"]').classes()).toContain('lit');
    w.unmount();
    expect(takeViolations()).toEqual([]);
  });
});
