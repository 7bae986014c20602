// The activity log: the helper's journal of changes (loaded on start, so a reload or a new tab shows the
// history), kept up to date by its `activity` events.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ActivityRecord, Params } from '@shared/contract/index';
import { useApi } from '../api';
import { useLoading } from '../composables/useLoading';
import { afterFirstView } from '../startup/firstView';

/** Which part of the journal the page shows and exports. */
export type ActivityScope = 'session' | 'all' | `lab:${string}`;

/** Cap on remembered entries; the oldest go first (the helper keeps the same bound). */
export const ACTIVITY_LIMIT = 5000;

const keyOf = (e: ActivityRecord): string => `${e.session}#${e.seq}`;

export function queryOf(scope: ActivityScope): Params<'activity.list'> {
  if (scope === 'session') return { currentSession: true };
  if (scope === 'all') return {};
  return { owner: scope };
}

export const useActivityStore = defineStore('activity', () => {
  const entries = ref<ActivityRecord[]>([]);
  /** The running helper's session id: "this session" is what it journaled. */
  const session = shallowRef<string | null>(null);
  const scope = ref<ActivityScope>('session');
  const { loading, error, track } = useLoading();
  const seen = new Set<string>();
  let stops: (() => void)[] = [];

  const shown = computed(() => entries.value.filter((e) => (scope.value === 'session' ? e.session === session.value : scope.value === 'all' || e.owner === scope.value)));
  const owners = computed(() => [...new Set(entries.value.map((e) => e.owner).filter((o): o is `lab:${string}` => o?.startsWith('lab:') ?? false))].sort());

  function add(e: ActivityRecord): void {
    if (seen.has(keyOf(e))) return;
    seen.add(keyOf(e));
    entries.value.push(e);
    if (entries.value.length > ACTIVITY_LIMIT) for (const old of entries.value.splice(0, entries.value.length - ACTIVITY_LIMIT)) seen.delete(keyOf(old));
  }

  /** The journal from the helper, merged with what events already brought (no entry twice). */
  function load(): Promise<void> {
    return track(async () => {
      const reply = await useApi().call('activity.list', {});
      session.value = reply.session;
      const live = entries.value;
      entries.value = [];
      seen.clear();
      for (const e of [...reply.entries, ...live].sort((a, b) => (a.session === b.session ? a.seq - b.seq : a.at.localeCompare(b.at)))) add(e);
    });
  }

  /** The helper's runnable script of the shown scope. */
  function exportScript(): Promise<string> {
    return useApi()
      .call('activity.export', queryOf(scope.value))
      .then((r) => r.script);
  }

  /**
   * Listens at once (the log records from the first moment); loads the journal once the first view is
   * drawn (load merges what events brought meanwhile). Resolves when the journal is in.
   */
  function start(): Promise<void> {
    if (stops.length === 0) {
      const api = useApi();
      // A helper that is ready again after a lost connection, a restart or a failure may have journaled
      // changes this page did not see; the ready the relay sends on subscribing (after starting, no restart)
      // is no news: reloading on it cost a second and third 24 kB activity.list in the middle of the cold start.
      let missed = false;
      let restarts = 0;
      stops = [
        api.on('activity', add),
        api.on('helper.status', (s) => {
          if (s.state === 'lost' || s.state === 'restarting' || s.state === 'failed') missed = true;
          if (s.state !== 'ready') return;
          const news = missed || s.restarts !== restarts;
          missed = false;
          restarts = s.restarts;
          if (news) void load();
        }),
      ];
    }
    return new Promise<void>((resolve) => afterFirstView(resolve)).then(load);
  }

  function dispose(): void {
    for (const stop of stops) stop();
    stops = [];
  }

  return { entries, session, scope, shown, owners, loading, error, add, load, exportScript, start, dispose };
});
