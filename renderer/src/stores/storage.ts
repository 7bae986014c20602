// What the app remembers: localStorage (this browser) or sessionStorage (this tab). Where storage is
// disabled, reads find nothing and writes are dropped: the app works the same and forgets on reload.
export type StorageArea = 'local' | 'session';

const area = (where: StorageArea): Storage | undefined => (where === 'local' ? globalThis.localStorage : globalThis.sessionStorage);

export function readStored(key: string, where: StorageArea = 'local'): string | null {
  try {
    return area(where)?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Remembers `value` under `key`; `null` forgets it. */
export function writeStored(key: string, value: string | null, where: StorageArea = 'local'): void {
  try {
    if (value === null) area(where)?.removeItem(key);
    else area(where)?.setItem(key, value);
  } catch {
    // storage disabled: remembered for this page only
  }
}
