// The first panel's data, asked for before the app's code is even loaded: main.ts calls this, then imports
// the app. Parsing and starting the app (Vue, i18n, the panels, Cytoscape) and the helper reading every
// namespace for `topology.show` then overlap instead of following each other. The store takes the answer
// once (takePrefetched); later refreshes call the helper as usual.
import type { RequestName, Result } from '@shared/contract/index';
import { useApi } from '../api';
import { readStored } from '../stores/storage';
import { STORAGE_KEYS } from '../stores/storageKeys';

const early = new Map<RequestName, Promise<unknown>>();
let stopListening: (() => void) | null = null;

function forget(): void {
  early.clear();
  stopListening?.();
  stopListening = null;
}

/** The Topology panel opens first (the default, or the panel remembered): ask for its snapshot and catalogue now. */
export function prefetchFirstView(): void {
  const panel = readStored(STORAGE_KEYS.panel);
  if (panel !== null && panel !== 'topology') return;
  const api = useApi();
  // Subscribed before the snapshot is asked for: a change the snapshot may have missed arrives as an
  // event, and the early answer is then dropped (the store asks again).
  stopListening = api.on('topology.changed', forget);
  for (const method of ['topology.show', 'topology.list'] as const) {
    const answer = api.call(method, {});
    answer.catch(() => undefined); // whoever takes it sees the error; nobody taking it is no error
    early.set(method, answer);
  }
}

/** The early answer to `method`, once; undefined when there is none (or it went stale). */
export function takePrefetched<M extends 'topology.show' | 'topology.list'>(method: M): Promise<Result<M>> | undefined {
  const answer = early.get(method) as Promise<Result<M>> | undefined;
  early.delete(method);
  if (early.size === 0) forget();
  return answer;
}
