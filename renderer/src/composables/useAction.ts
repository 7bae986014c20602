// One form's action (useMutations with a single key): busy, its typed error and a done note for the
// ActionButton under the form. `after` refreshes what the form changed; `clearOn` names the form fields the
// action sends, so editing one clears the error shown under it (an old error never outlives its input).
import { computed, watch, type WatchSource } from 'vue';
import { useMutations } from './useMutations';

export interface ActionOptions {
  after?: () => unknown;
  clearOn?: WatchSource[];
}

export function useAction({ after, clearOn = [] }: ActionOptions = {}) {
  const m = useMutations<'action'>(after);
  // Only the error: a done note survives the form clearing itself after success.
  if (clearOn.length) watch(clearOn, () => void (m.busy.value === null && delete m.errors.action));
  return {
    busy: computed(() => m.busy.value !== null),
    error: computed(() => m.errors.action ?? null),
    done: computed(() => m.done.value?.text ?? null),
    run: <T>(fn: () => Promise<T>, doneText?: string): Promise<T | undefined> => m.run('action', fn, doneText),
    reset: m.reset,
  };
}
