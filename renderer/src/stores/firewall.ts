// Firewall: one node's ruleset (fw.show), its counters kept live by fw.watch (fw.counters events carry
// deltas and zero-hit flags), rule writes through the helper, and the packet walk (trace.run) replayed
// hop by hop on the hook diagrams of the namespaces it crossed.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { FwCounterDelta, FwCountersEvent, FwRule, FwRuleset, FwTable, Params, TraceWalk } from '@shared/contract/index';
import { useApi } from '../api';
import { unlessStale } from '../composables/staleAnswer';
import { useLoading } from '../composables/useLoading';
import { useMutations } from '../composables/useMutations';
import { readStored, writeStored } from './storage';

/** What survives a reload: the node shown (this browser), the last walk (this tab). */
export const FW_STORAGE = { node: 'nslab.firewall.node', walk: 'nslab.firewall.walk' } as const;

function storedWalk(): TraceWalk | null {
  try {
    const w = JSON.parse(readStored(FW_STORAGE.walk, 'session') ?? 'null') as TraceWalk | null;
    return w && Array.isArray(w.hops) && Array.isArray(w.fates) ? w : null;
  } catch {
    return null;
  }
}

/** ms each hop of a walk stays lit. */
export const WALK_STEP_MS = 600;

type Where = { node?: string };

/** `<source>/<family>/<table>/<chain>`: how fw.counters keys a chain's policy counters. */
export const chainKey = (table: Pick<FwTable, 'source' | 'family' | 'name'>, chain: string): string => `${table.source}/${table.family}/${table.name}/${chain}`;

/** The ruleset with the sweep's counters written in (a new object: the view re-renders). */
export function applyCounters(rs: FwRuleset, ev: FwCountersEvent): FwRuleset {
  const rules = new Map(ev.rules.map((d) => [d.id, d]));
  const policies = new Map(ev.policies.map((d) => [d.id, d]));
  return {
    ...rs,
    tables: rs.tables.map((table) => ({
      ...table,
      chains: table.chains.map((chain) => {
        const p = policies.get(chainKey(table, chain.name));
        return {
          ...chain,
          ...(p ? { packets: p.packets, bytes: p.bytes } : {}),
          rules: chain.rules.map((r) => {
            const d = rules.get(r.id);
            return d ? { ...r, packets: d.packets, bytes: d.bytes } : r;
          }),
        };
      }),
    })),
  };
}

export const useFirewallStore = defineStore('firewall', () => {
  const api = useApi();
  /** The node shown; null is the root namespace (read only). */
  const node = ref<string | null>(readStored(FW_STORAGE.node) || null);
  const ruleset = shallowRef<FwRuleset | null>(null);
  const { loading, error, track } = useLoading();
  /** The newest delta of each rule (and policy) id: moved since the last sweep, zero-hit flags. */
  const deltas = shallowRef<Map<string, FwCounterDelta>>(new Map());
  const walk = shallowRef<TraceWalk | null>(storedWalk());
  /** Index of the hop lit in the animation; null when none runs. */
  const step = ref<number | null>(null);
  const currentHop = computed(() => (walk.value && step.value !== null ? (walk.value.hops[step.value] ?? null) : null));
  const openChain = ref<string | null>(null);
  /** A rule to show highlighted (a conntrack entry's nat rule was followed here). */
  const focusRule = ref<string | null>(null);
  /** The rulesets of every namespace the walk crossed, read right after it (counters include the probe). */
  const walkRulesets = shallowRef<Map<string, FwRuleset>>(new Map());
  /** The walk's animation is running (not paused or finished). */
  const playing = ref(false);
  /** From the newest sweep: rules watched, and how many have not matched since watching began. */
  const zeroSummary = ref<{ total: number; zeroSinceWatch: number } | null>(null);
  /** Rules (policy counters are keyed without # or @) whose counter is still 0: no hit since they were made (for a lab's rules, since the lab started). */
  const zeroSinceStart = computed(() => [...deltas.value.values()].filter((d) => (d.id.includes('#') || d.id.includes('@')) && d.zeroSinceStart).length);
  let stopEvents: (() => void) | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;

  const where = (): Where => (node.value ? { node: node.value } : {});
  // A node chosen while another's ruleset is on its way: that answer (or error) is no longer the view's.
  const load = (): Promise<void> =>
    track(async () => {
      const asked = node.value;
      const r = await unlessStale(api.call('fw.show', where()), () => node.value !== asked);
      if (r) ruleset.value = r;
    });
  const mutations = useMutations<'add' | 'delete' | 'policy' | 'trace'>(load);

  function onCounters(ev: FwCountersEvent): void {
    if (!ruleset.value || ev.netns !== ruleset.value.netns) return;
    const next = new Map(deltas.value);
    for (const d of [...ev.rules, ...ev.policies]) next.set(d.id, d);
    for (const id of ev.removed) next.delete(id);
    deltas.value = next;
    zeroSummary.value = { total: ev.total, zeroSinceWatch: ev.zeroSinceWatch };
    if (ev.changed) void load();
    else ruleset.value = applyCounters(ruleset.value, ev);
  }

  async function show(name: string | null): Promise<void> {
    if (ruleset.value) await api.call('fw.unwatch', {}).catch(() => undefined);
    // Showing the same node again (the panel mounting after a rule was revealed in it) keeps what is open.
    if (name !== node.value) {
      openChain.value = null;
      focusRule.value = null;
    }
    node.value = name;
    writeStored(FW_STORAGE.node, name);
    deltas.value = new Map();
    zeroSummary.value = null;
    await load();
    if (!stopEvents) stopEvents = api.on('fw.counters', onCounters);
    if (ruleset.value) await api.call('fw.watch', { targets: [where()] }).catch(() => undefined);
  }

  function stop(): void {
    stopEvents?.();
    stopEvents = null;
    stopAnimation();
    void api.call('fw.unwatch', {}).catch(() => undefined);
  }

  function stopAnimation(): void {
    if (timer) clearInterval(timer);
    timer = null;
    playing.value = false;
  }

  /** Plays the walk from hop `from` (the start by default), one hop every WALK_STEP_MS. */
  function play(from = 0): void {
    stopAnimation();
    const w = walk.value;
    if (!w || !w.hops.length) return;
    step.value = Math.min(Math.max(0, from), w.hops.length - 1);
    playing.value = true;
    timer = setInterval(() => {
      if (step.value === null || step.value >= w.hops.length - 1) return stopAnimation();
      step.value++;
    }, WALK_STEP_MS);
  }

  function animate(w: TraceWalk): void {
    walk.value = w;
    writeStored(FW_STORAGE.walk, JSON.stringify(w), 'session');
    step.value = w.hops.length ? 0 : null;
    play(0);
  }

  /** Pauses on a hop (the arrow keys step through the walk). */
  function stepTo(i: number): void {
    stopAnimation();
    const w = walk.value;
    if (!w || !w.hops.length) return;
    step.value = Math.min(Math.max(0, i), w.hops.length - 1);
  }

  /** The namespaces of the walk in the order it first reached them. */
  const walkNamespaces = computed(() => [...new Set((walk.value?.hops ?? []).map((h) => h.netns))]);

  async function loadWalkRulesets(w: TraceWalk): Promise<void> {
    const order = [...new Set(w.hops.map((h) => h.netns))];
    const nodes = new Map(w.hops.map((h) => [h.netns, h.node]));
    const read = await Promise.all(order.map(async (ns) => [ns, await api.call('fw.show', { node: nodes.get(ns)! }).catch(() => null)] as const));
    walkRulesets.value = new Map(read.filter((r): r is readonly [string, FwRuleset] => r[1] !== null));
  }

  /** The walk's diagrams after a reload (the walk came back from session storage, the rulesets did not). */
  async function restoreWalk(): Promise<void> {
    if (walk.value && walkRulesets.value.size === 0) await loadWalkRulesets(walk.value);
  }

  async function trace(params: Params<'trace.run'>): Promise<void> {
    const w = await mutations.run('trace', () => api.call('trace.run', params));
    if (!w) return;
    walkRulesets.value = new Map();
    animate(w);
    await loadWalkRulesets(w);
  }

  /** "Trace from here to …": show the sender's firewall and walk the probe on every diagram it crosses. */
  async function traceFrom(params: Params<'trace.run'>): Promise<void> {
    if (node.value !== params.from) await show(params.from);
    await trace(params);
  }

  /** Opens the chain holding the rule printed as `label` (its iptables line or nft text) and highlights it. */
  const revealRule = (name: string, label: string): Promise<boolean> => revealWhere(name, (x) => x.iptables === label || x.nft === label);

  /** Opens the chain holding the first rule `match` picks (in node `name`) and highlights it; false when none does. */
  async function revealWhere(name: string, match: (rule: FwRule, table: string, chain: string) => boolean): Promise<boolean> {
    if (node.value !== name || !ruleset.value) await show(name);
    for (const table of ruleset.value?.tables ?? []) {
      for (const chain of table.chains) {
        const r = chain.rules.find((x) => match(x, table.name, chain.name));
        if (r) {
          openChain.value = chainKey(table, chain.name);
          focusRule.value = r.id;
          return true;
        }
      }
    }
    return false;
  }

  const addLine = (line: string): Promise<unknown> => mutations.run('add', () => api.call('fw.rule.add', { ...where(), line }));
  const addRule = (rule: Omit<Params<'fw.rule.add'>, 'node'>): Promise<unknown> => mutations.run('add', () => api.call('fw.rule.add', { ...where(), ...rule }));
  const deleteRule = (id: string): Promise<unknown> => mutations.run('delete', () => api.call('fw.rule.delete', { ...where(), id }));
  const setPolicy = (p: Omit<Params<'fw.policy.set'>, 'node'>): Promise<unknown> => mutations.run('policy', () => api.call('fw.policy.set', { ...where(), ...p }));

  return {
    node, ruleset, loading, error, deltas, walk, step, currentHop, openChain, focusRule, zeroSummary, zeroSinceStart, walkRulesets, walkNamespaces, playing, mutations,
    show, load, stop, trace, traceFrom, restoreWalk, animate, play, stepTo, revealRule, revealWhere, addLine, addRule, deleteRule, setPolicy,
  };
});
