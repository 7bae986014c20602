// The helper as the status bar shows it: who it is (hello), what the machine offers (doctor), how the
// connection stands (the relay's helper.status event).
import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import type { HelperStatus } from '@shared/bridge';
import type { Result } from '@shared/contract/index';
import { useApi } from '../api';
import { connectionStatus } from '../composables/connection';
import { useLoading } from '../composables/useLoading';
import { afterFirstView } from '../startup/firstView';

export const useHelperStore = defineStore('helper', () => {
  const hello = shallowRef<Result<'helper.hello'> | null>(null);
  const doctor = shallowRef<Result<'system.doctor'> | null>(null);
  const status = shallowRef<HelperStatus | null>(null);
  const { loading, error, track } = useLoading();
  let stop: (() => void) | null = null;

  const mode = computed(() => status.value?.mode ?? hello.value?.mode ?? doctor.value?.mode ?? null);
  const healthy = computed(() => status.value?.state === 'ready' || (status.value === null && hello.value !== null));

  /** Who the helper is now; what the machine offers (a slow report: many probes) once the first view is drawn. */
  function load(): Promise<void> {
    return track(async () => {
      const api = useApi();
      hello.value = await api.call('helper.hello', {});
      await new Promise<void>((resolve) => afterFirstView(resolve));
      doctor.value = await api.call('system.doctor', {});
    });
  }

  function start(): Promise<void> {
    if (!stop) {
      stop = useApi().on('helper.status', (s) => {
        const was = status.value?.state;
        status.value = s;
        connectionStatus.value = s;
        // A restarted helper: who it is may have changed.
        if (s.state === 'ready' && was !== undefined && was !== 'ready') void load();
      });
    }
    return load();
  }

  function dispose(): void {
    connectionStatus.value = null;
    stop?.();
    stop = null;
  }

  return { hello, doctor, status, loading, error, mode, healthy, load, start, dispose };
});
