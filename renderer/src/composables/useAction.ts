// One user action's lifecycle (busy, its typed error, a done note), so errors show next to the button
// that caused them.
import { ref, shallowRef } from 'vue';
import { toNslabError, type NslabError } from '@shared/errors';

export function useAction() {
  const busy = ref(false);
  const error = shallowRef<NslabError | null>(null);
  const done = ref<string | null>(null);

  async function run<T>(fn: () => Promise<T>, doneText?: string): Promise<T | undefined> {
    busy.value = true;
    error.value = null;
    done.value = null;
    try {
      const result = await fn();
      done.value = doneText ?? null;
      return result;
    } catch (err) {
      error.value = toNslabError(err);
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  function reset(): void {
    error.value = null;
    done.value = null;
  }

  return { busy, error, done, run, reset };
}
