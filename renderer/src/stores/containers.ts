// Containers: nslab's hand-made containers, and the isolation view of the selected one side by side with
// the host's (PID 1, or the helper where PID 1 cannot be read). Re-read after an action, never on a timer.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ContainerInfo, IsolationView } from '@shared/contract/index';
import { useApi } from '../api';
import { useLoading } from '../composables/useLoading';
import { useMutations } from '../composables/useMutations';

export const useContainersStore = defineStore('containers', () => {
  const api = useApi();
  const containers = shallowRef<ContainerInfo[] | null>(null);
  const selected = ref<string | null>(null);
  const view = shallowRef<IsolationView | null>(null);
  const host = shallowRef<IsolationView | null>(null);
  const { loading, error, track } = useLoading();
  const actions = useMutations<'stop' | 'remove'>(() => refresh());

  async function refresh(): Promise<void> {
    await track(async () => {
      containers.value = (await api.call('container.list', {})).containers;
      if (selected.value && !containers.value.some((c) => c.name === selected.value)) selected.value = null;
      await loadView();
    });
  }

  async function loadView(): Promise<void> {
    const c = containers.value?.find((x) => x.name === selected.value);
    view.value = c?.pid ? await api.call('process.inspect', { pid: c.pid }) : null;
    host.value ??= await api.call('process.inspect', { pid: 1 }).catch(() => null);
  }

  async function select(name: string | null): Promise<void> {
    selected.value = name;
    await track(loadView);
  }

  const stop = (name: string): Promise<unknown> => actions.run('stop', () => api.call('container.stop', { name }));
  const remove = (name: string): Promise<unknown> => actions.run('remove', () => api.call('container.remove', { name, force: true }));

  return { containers, selected, view, host, loading, error, busy: actions.busy, errors: actions.errors, refresh, select, stop, remove };
});
