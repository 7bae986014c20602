// One user action's lifecycle (busy, its typed error, a done note), so errors show next to the button
// that caused them — and go away once the inputs they were about are edited.
import { ref, shallowRef, watch, type WatchSource } from 'vue';
import { toNslabError, type NslabError } from '../../../electron/shared/errors';

/** `inputs`: the form fields this action sends; editing one clears the error shown under it. */
export function useAction(...inputs: WatchSource[]) {
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

  // Only the error: a done note survives the form clearing itself after success.
  if (inputs.length) watch(inputs, () => void (busy.value || (error.value = null)));

  return { busy, error, done, run, reset };
}
