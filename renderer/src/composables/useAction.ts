// One form's action (useMutations with a single key): busy, its typed error and a done note for the
// ActionButton under the form; `after` refreshes what the form changed.
import { computed } from 'vue';
import { useMutations } from './useMutations';

export function useAction(after?: () => unknown) {
  const m = useMutations<'action'>(after);
  return {
    busy: computed(() => m.busy.value !== null),
    error: computed(() => m.errors.action ?? null),
    done: computed(() => m.done.value?.text ?? null),
    run: <T>(fn: () => Promise<T>, doneText?: string): Promise<T | undefined> => m.run('action', fn, doneText),
    reset: m.reset,
  };
}
