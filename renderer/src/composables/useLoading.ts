// A store's loading flag and the typed error of its last load; the error stays shown until a load succeeds.
import { ref, shallowRef } from 'vue';
import { toNslabError, type NslabError } from '@shared/errors';

export function useLoading() {
  const loading = ref(false);
  const error = shallowRef<NslabError | null>(null);

  async function track(load: () => Promise<void>): Promise<void> {
    loading.value = true;
    try {
      await load();
      error.value = null;
    } catch (err) {
      error.value = toNslabError(err);
    } finally {
      loading.value = false;
    }
  }

  return { loading, error, track };
}
