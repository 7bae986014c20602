// What the Terminals panel's toolbar and its keyboard shortcuts do to the active terminal: copy its
// selection, paste into it, find text in it, and give it the focus back.
import { computed, inject, nextTick, provide, reactive, ref, type InjectionKey } from 'vue';
import { useI18n } from 'vue-i18n';
import { useTerminalsStore } from '../../stores/terminals';

function createTerminalTools() {
  const store = useTerminalsStore();
  const { t } = useI18n();
  const searchOpen = ref(false);
  const query = ref('');
  const notFound = ref(false);
  /** Bumped each time the search box is asked for (the toolbar puts the cursor in it, even when already open). */
  const searchAsked = ref(0);
  const note = ref<string | null>(null);
  const active = computed(() => store.activeTab);
  const screen = () => (active.value ? store.screenOf(active.value.id) : null);

  function focus(): void {
    void nextTick(() => screen()?.focus());
  }

  async function copy(): Promise<void> {
    note.value = null;
    const text = screen()?.selection() ?? '';
    if (!text) return;
    try {
      await navigator.clipboard.writeText(text);
      note.value = t('terminals.copied');
    } catch {
      note.value = t('terminals.clipboardUnavailable');
    }
  }

  async function paste(): Promise<void> {
    note.value = null;
    if (!active.value) return;
    try {
      const text = await navigator.clipboard.readText();
      screen()?.paste(text);
    } catch {
      note.value = t('terminals.clipboardUnavailable');
    }
    focus();
  }

  /** Opens or closes the search box (closing clears the highlights and focuses the terminal again). */
  function toggleSearch(open = !searchOpen.value): void {
    searchOpen.value = open;
    notFound.value = false;
    if (open) searchAsked.value++;
    else {
      screen()?.clearSearch();
      focus();
    }
  }

  function find(direction: 'next' | 'previous'): void {
    if (!active.value || !query.value) return;
    notFound.value = !screen()?.find(query.value, direction);
  }

  // reactive: the panel and its toolbar read and set the same state as plain properties
  return reactive({ searchOpen, searchAsked, query, notFound, note, focus, copy, paste, toggleSearch, find });
}

export type TerminalTools = ReturnType<typeof createTerminalTools>;

const TOOLS: InjectionKey<TerminalTools> = Symbol('terminal tools');

/** The panel makes the tools (its shortcuts use them) and hands them to its toolbar. */
export function provideTerminalTools(): TerminalTools {
  const tools = createTerminalTools();
  provide(TOOLS, tools);
  return tools;
}

export function injectTerminalTools(): TerminalTools {
  const tools = inject(TOOLS);
  if (!tools) throw new Error('the terminal toolbar lives inside the Terminals panel');
  return tools;
}
