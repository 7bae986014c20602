// Asking before a destructive action (Delete, Remove cgroup, Stop lab, Reset): the component shows the
// pending question with ConfirmDialog; the answer resolves `ask`. With "ask before destructive actions"
// turned off (the dialog's "Don't ask again", or Settings) every question answers yes at once.
import { shallowRef } from 'vue';
import { useUiStore } from '../stores/ui';

export interface ConfirmQuestion {
  title: string;
  text: string;
  confirmLabel: string;
  testid: string;
  /** Asked even with confirmations turned off (not a destructive action, but one to make knowingly). */
  always?: boolean;
}

export function useConfirm() {
  const ui = useUiStore();
  const pending = shallowRef<ConfirmQuestion | null>(null);
  let settle: ((yes: boolean) => void) | null = null;

  function ask(question: ConfirmQuestion): Promise<boolean> {
    if (!ui.confirmDestructive && !question.always) return Promise.resolve(true);
    settle?.(false);
    pending.value = question;
    return new Promise((resolve) => (settle = resolve));
  }

  function answer(yes: boolean, dontAskAgain = false): void {
    if (yes && dontAskAgain) ui.setConfirmDestructive(false);
    pending.value = null;
    const s = settle;
    settle = null;
    s?.(yes);
  }

  return { pending, ask, answer };
}
