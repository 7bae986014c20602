// The one pattern for actions that change something through the helper (a store's or a form's): each
// action has a key (a lab's 'up', a shipped topology's name, a limit's name); while one runs, `busy` names
// it and no other of the family starts (the helper serialises changes under the ledger lock anyway); its
// typed error stays under its key until it runs again, so the error shows next to the button that caused
// it; on success a done note, and `after` (the view's refresh).
import { reactive, ref, type Ref } from 'vue';
import { NslabError as TypedError, toNslabError, type NslabError } from '@shared/errors';
import { online } from './connection';

export interface Mutations<K extends string> {
  busy: Ref<K | null>;
  errors: Partial<Record<K, NslabError>>;
  /** The last action that succeeded with a note to show (`run` was given a doneText). */
  done: Ref<{ key: K; text: string } | null>;
  /** Actions finished so far (ok or not): tests and views can tell a new result from an old one. */
  finished: Ref<number>;
  /** Runs `fn` as action `key`; undefined when it failed (its error is in `errors[key]`) or another one ran. */
  run<T>(key: K, fn: () => Promise<T>, doneText?: string | ((result: T) => string)): Promise<T | undefined>;
  /** Forgets errors and the done note (the view changed to something else). */
  reset(): void;
}

export function useMutations<K extends string>(after?: () => unknown): Mutations<K> {
  const busy = ref<K | null>(null) as Ref<K | null>;
  const errors = reactive({}) as Partial<Record<K, NslabError>>;
  const done = ref<{ key: K; text: string } | null>(null) as Ref<{ key: K; text: string } | null>;
  const finished = ref(0);

  async function run<T>(key: K, fn: () => Promise<T>, doneText?: string | ((result: T) => string)): Promise<T | undefined> {
    if (busy.value !== null) return undefined;
    if (!online.value) {
      // Buttons are disabled meanwhile; this is for anything that gets here anyway (a key press, a script).
      errors[key] = new TypedError('busy', 'not connected to nslab: wait for the page to reconnect, then try again');
      return undefined;
    }
    busy.value = key;
    delete errors[key];
    done.value = null;
    try {
      const result = await fn();
      if (doneText !== undefined) done.value = { key, text: typeof doneText === 'function' ? doneText(result) : doneText };
      if (after) void after();
      return result;
    } catch (err) {
      errors[key] = toNslabError(err);
      return undefined;
    } finally {
      busy.value = null;
      finished.value++;
    }
  }

  function reset(): void {
    for (const k of Object.keys(errors) as K[]) delete errors[k];
    done.value = null;
  }

  return { busy, errors, done, finished, run, reset };
}
