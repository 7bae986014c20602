// Whether the page can reach the helper right now, for everything that must not act while it cannot (the
// ActionButton, useMutations, the panels' fieldset): a plain reactive value the helper store keeps up to date
// from the relay's helper.status, so components read it without a store.
import { computed, shallowRef } from 'vue';
import type { HelperStatus } from '@shared/bridge';

/** The last helper.status (null: none yet, the page is still starting). */
export const connectionStatus = shallowRef<HelperStatus | null>(null);

/** Not while the connection is lost, the helper restarts, or it gave up; before the first status, yes. */
export const online = computed(() => {
  const state = connectionStatus.value?.state;
  return state === undefined || state === 'ready' || state === 'starting';
});

/** Seconds until the browser transport retries by itself, from `now` (0: trying now); null when not scheduled. */
export function secondsToRetry(status: HelperStatus | null, now: number): number | null {
  if (!status || status.state === 'ready' || status.retryAt === undefined) return null;
  return Math.max(0, Math.ceil((status.retryAt - now) / 1000));
}
