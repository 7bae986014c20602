// Security audit: the checklist report (1-1 … 5-3) the helper produces on request; nothing runs by itself.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { AuditReport } from '@shared/contract/index';
import { useApi } from '../api';
import { useLoading } from '../composables/useLoading';

export type AuditStatus = AuditReport['items'][number]['status'];

export const useAuditStore = defineStore('audit', () => {
  const api = useApi();
  const report = shallowRef<AuditReport | null>(null);
  /** Show only these statuses (empty: all). */
  const only = ref<AuditStatus[]>([]);
  const { loading, error, track } = useLoading();

  const items = computed(() => (report.value?.items ?? []).filter((i) => only.value.length === 0 || only.value.includes(i.status)));

  async function run(targets: string[] = []): Promise<void> {
    await track(async () => {
      report.value = await api.call('audit.run', { targets });
    });
  }

  return { report, only, items, loading, error, run };
});
