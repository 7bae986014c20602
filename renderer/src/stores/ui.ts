// Panel, theme, language and whether to confirm destructive actions: what the user picked, remembered in
// localStorage.
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { isLocale, type Locale } from '../i18n';
import { readStored, writeStored } from './storage';
import { STORAGE_KEYS } from './storageKeys';

export const PANELS = ['topology', 'activity', 'cgroups', 'terminals', 'labs', 'firewall', 'conntrack', 'containers', 'dockernet', 'security'] as const;
export type PanelId = (typeof PANELS)[number];
export type ThemeChoice = 'system' | 'light' | 'dark';

export const STORAGE = STORAGE_KEYS;


const prefersDark = (): boolean => globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;

export const useUiStore = defineStore('ui', () => {
  const storedLocale = readStored(STORAGE.locale);
  const storedTheme = readStored(STORAGE.theme);
  const storedPanel = readStored(STORAGE.panel);

  const locale = ref<Locale>(isLocale(storedLocale) ? storedLocale : 'en');
  const theme = ref<ThemeChoice>(storedTheme === 'light' || storedTheme === 'dark' ? storedTheme : 'system');
  const panel = ref<PanelId>((PANELS as readonly string[]).includes(storedPanel ?? '') ? (storedPanel as PanelId) : 'topology');
  const systemDark = ref(prefersDark());
  /** Ask before Delete, Remove cgroup, Stop lab and Reset (off after "Don't ask again"). */
  const confirmDestructive = ref(readStored(STORAGE.confirm) !== 'off');

  const media = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
  media?.addEventListener?.('change', (e) => (systemDark.value = e.matches));

  const effectiveTheme = computed<'light' | 'dark'>(() => (theme.value === 'system' ? (systemDark.value ? 'dark' : 'light') : theme.value));

  watch(locale, (v) => writeStored(STORAGE.locale, v));
  watch(theme, (v) => writeStored(STORAGE.theme, v));
  watch(panel, (v) => writeStored(STORAGE.panel, v));
  watch(confirmDestructive, (v) => writeStored(STORAGE.confirm, v ? null : 'off'));

  function setLocale(v: Locale): void {
    locale.value = v;
  }
  function setTheme(v: ThemeChoice): void {
    theme.value = v;
  }
  function toggleTheme(): void {
    theme.value = effectiveTheme.value === 'dark' ? 'light' : 'dark';
  }
  function setConfirmDestructive(v: boolean): void {
    confirmDestructive.value = v;
  }
  function open(p: PanelId): void {
    panel.value = p;
  }

  return { locale, theme, panel, systemDark, confirmDestructive, effectiveTheme, setLocale, setTheme, toggleTheme, setConfirmDestructive, open };
});
