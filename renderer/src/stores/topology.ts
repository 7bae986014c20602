// The live topology: a snapshot of every nslab namespace from `topology.show`, refreshed whenever the helper
// says `topology.changed` (the renderer never polls the kernel), plus the shipped topologies.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { NodeSnapshot, Result, TopologySnapshot } from '@shared/contract/index';
import { useApi } from '../api';
import { coalesced } from '../composables/coalesce';
import { useLoading } from '../composables/useLoading';
import { useMutations } from '../composables/useMutations';
import { takePrefetched } from '../startup/prefetch';

export const useTopologyStore = defineStore('topology', () => {
  const snapshot = shallowRef<TopologySnapshot | null>(null);
  const catalog = shallowRef<Result<'topology.list'> | null>(null);
  const { loading, error, track } = useLoading();
  const selected = ref<string | null>(null);
  /** Bumped on every snapshot that arrives (tests and the graph watch it). */
  const revision = ref(0);
  let stop: (() => void) | null = null;

  const nodes = computed<NodeSnapshot[]>(() => snapshot.value?.nodes ?? []);
  const selectedNode = computed(() => nodes.value.find((n) => n.name === selected.value) ?? null);

  /** Refreshes now; calls made during a refresh coalesce into one more. */
  const refresh = coalesced(() =>
    track(async () => {
      const api = useApi();
      // The first refresh takes what main.ts asked for before the app loaded (startup/prefetch.ts).
      const [snap, list] = await Promise.all([takePrefetched('topology.show') ?? api.call('topology.show', {}), takePrefetched('topology.list') ?? api.call('topology.list', {})]);
      snapshot.value = snap;
      catalog.value = list;
      revision.value++;
      if (selected.value && !snap.nodes.some((n) => n.name === selected.value)) selected.value = null;
    }),
  );

  function start(): Promise<void> {
    stop ??= useApi().on('topology.changed', () => void refresh());
    return refresh();
  }

  function dispose(): void {
    stop?.();
    stop = null;
  }

  function select(name: string | null): void {
    selected.value = name;
  }

  /** Applying or destroying a shipped topology, keyed by its name (its error shows on its card). */
  const shipped = useMutations<string>(refresh);
  /** Builds a shipped topology by name: its YAML stays in the helper. */
  const applyBuiltin = (name: string): Promise<unknown> => shipped.run(name, () => useApi().call('topology.apply', { builtin: name }));
  const destroy = (name: string): Promise<unknown> => shipped.run(name, () => useApi().call('topology.destroy', { name }));

  return {
    snapshot,
    catalog,
    loading,
    error,
    selected,
    revision,
    nodes,
    selectedNode,
    /** The shipped topology being applied or destroyed, and their errors by name. */
    shippedBusy: shipped.busy,
    shippedErrors: shipped.errors,
    refresh,
    start,
    dispose,
    select,
    applyBuiltin,
    destroy,
  };
});
