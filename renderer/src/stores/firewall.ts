// Firewall: one node's ruleset (fw.show), its counters kept live by fw.watch (fw.counters events carry
// deltas and zero-hit flags), rule writes through the helper, and the packet walk (trace.run) replayed
// hop by hop on the hook diagrams of the namespaces it crossed.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { FwCounterDelta, FwCountersEvent, FwRuleset, FwTable, Params, TraceWalk } from '@shared/contract/index';
import { useApi } from '../api';
import { useLoading } from '../composables/useLoading';
import { useMutations } from '../composables/useMutations';

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
  const node = ref<string | null>(null);
  const ruleset = shallowRef<FwRuleset | null>(null);
  const { loading, error, track } = useLoading();
  /** The newest delta of each rule (and policy) id: moved since the last sweep, zero-hit flags. */
  const deltas = shallowRef<Map<string, FwCounterDelta>>(new Map());
  const walk = shallowRef<TraceWalk | null>(null);
  /** Index of the hop lit in the animation; null when none runs. */
  const step = ref<number | null>(null);
  const currentHop = computed(() => (walk.value && step.value !== null ? (walk.value.hops[step.value] ?? null) : null));
  const openChain = ref<string | null>(null);
  let stopEvents: (() => void) | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;

  const where = (): Where => (node.value ? { node: node.value } : {});
  const load = (): Promise<void> =>
    track(async () => {
      ruleset.value = await api.call('fw.show', where());
    });
  const mutations = useMutations<'add' | 'delete' | 'policy' | 'trace'>(load);

  function onCounters(ev: FwCountersEvent): void {
    if (!ruleset.value || ev.netns !== ruleset.value.netns) return;
    const next = new Map(deltas.value);
    for (const d of [...ev.rules, ...ev.policies]) next.set(d.id, d);
    deltas.value = next;
    if (ev.changed) void load();
    else ruleset.value = applyCounters(ruleset.value, ev);
  }

  async function show(name: string | null): Promise<void> {
    if (ruleset.value) await api.call('fw.unwatch', {}).catch(() => undefined);
    node.value = name;
    deltas.value = new Map();
    openChain.value = null;
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
  }

  function animate(w: TraceWalk): void {
    stopAnimation();
    walk.value = w;
    step.value = w.hops.length ? 0 : null;
    timer = setInterval(() => {
      if (step.value === null || step.value >= w.hops.length - 1) return stopAnimation();
      step.value++;
    }, WALK_STEP_MS);
  }

  async function trace(params: Params<'trace.run'>): Promise<void> {
    const w = await mutations.run('trace', () => api.call('trace.run', params));
    if (w) animate(w);
  }

  const addLine = (line: string): Promise<unknown> => mutations.run('add', () => api.call('fw.rule.add', { ...where(), line }));
  const addRule = (rule: Omit<Params<'fw.rule.add'>, 'node'>): Promise<unknown> => mutations.run('add', () => api.call('fw.rule.add', { ...where(), ...rule }));
  const deleteRule = (id: string): Promise<unknown> => mutations.run('delete', () => api.call('fw.rule.delete', { ...where(), id }));
  const setPolicy = (p: Omit<Params<'fw.policy.set'>, 'node'>): Promise<unknown> => mutations.run('policy', () => api.call('fw.policy.set', { ...where(), ...p }));

  return { node, ruleset, loading, error, deltas, walk, step, currentHop, openChain, mutations, show, load, stop, trace, animate, addLine, addRule, deleteRule, setPolicy };
});
