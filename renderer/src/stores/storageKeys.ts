// The keys the app remembers things under (localStorage), in a module of their own so start-up code can
// read one (prefetch.ts: which panel opens first) without loading the stores, Pinia and Vue.
export const STORAGE_KEYS = { locale: 'nslab.locale', theme: 'nslab.theme', panel: 'nslab.panel', confirm: 'nslab.confirmDestructive' } as const;
