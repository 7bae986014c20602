// Dockernet: Docker's network modes rebuilt from primitives. The dockernets that are up (the applied
// topologies named dockernet-<name>), the selected one's objects with why Docker made each (dockernet.show),
// and up/down. Re-read after an action, never on a timer.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { Params, Result } from '@shared/contract/index';
import { useApi } from '../api';
import { useLoading } from '../composables/useLoading';
import { useMutations } from '../composables/useMutations';

const PREFIX = 'dockernet-';

export const useDockernetStore = defineStore('dockernet', () => {
  const api = useApi();
  /** Names of the dockernets that are up. */
  const names = shallowRef<string[] | null>(null);
  const selected = ref<string | null>(null);
  const show = shallowRef<Result<'dockernet.show'> | null>(null);
  const { loading, error, track } = useLoading();
  const actions = useMutations<'up' | 'down'>();

  async function loadShow(): Promise<void> {
    show.value = selected.value ? await api.call('dockernet.show', { name: selected.value }) : null;
  }

  async function refresh(): Promise<void> {
    await track(async () => {
      const list = await api.call('topology.list', {});
      names.value = list.applied.filter((t) => t.name.startsWith(PREFIX)).map((t) => t.name.slice(PREFIX.length));
      if (selected.value && !names.value.includes(selected.value)) selected.value = null;
      selected.value ??= names.value[0] ?? null;
      await loadShow();
    });
  }

  async function select(name: string | null): Promise<void> {
    selected.value = name;
    await track(loadShow);
  }

  async function up(params: Params<'dockernet.up'>): Promise<Result<'dockernet.up'> | undefined> {
    const r = await actions.run('up', () => api.call('dockernet.up', params));
    if (r) {
      selected.value = r.name;
      await refresh();
    }
    return r;
  }

  async function down(name: string): Promise<void> {
    const r = await actions.run('down', () => api.call('dockernet.down', { name }));
    if (r) {
      if (selected.value === name) selected.value = null;
      await refresh();
    }
  }

  return { names, selected, show, loading, error, busy: actions.busy, errors: actions.errors, refresh, select, up, down };
});
