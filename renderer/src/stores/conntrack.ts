// Conntrack: one node's connection-tracking table (ct.list), kept live by its events (ct.watch → ct.event:
// NEW adds, UPDATE replaces, DESTROY removes), the recent events as a log, lost events counted, and
// flushing one entry or all (the helper refuses namespaces nslab does not own). The node and whether to
// watch survive a reload. The table is read again once the watch listens, so a flow made between the
// first read and the watch shows too.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ConntrackEntry, ConntrackEvent, ConntrackStats, ConntrackTuple, Params } from '@shared/contract/index';
import { useApi } from '../api';
import { coalesced } from '../composables/coalesce';
import { unlessStale } from '../composables/staleAnswer';
import { useLoading } from '../composables/useLoading';
import { useMutations } from '../composables/useMutations';
import { readStored, writeStored } from './storage';

export const CT_STORAGE = { node: 'nslab.conntrack.node', live: 'nslab.conntrack.live' } as const;
/** Events kept in the log (newest first). */
export const CT_LOG_SIZE = 200;

export interface CtLogLine {
  seq: number;
  type: 'NEW' | 'UPDATE' | 'DESTROY';
  at: number;
  entry: ConntrackEntry;
}

const endpoint = (addr: string, port: number | undefined): string => (port === undefined ? addr : `${addr}:${port}`);
/** `10.0.1.1:40000 → 192.168.77.2:80` (ICMP: `id 7` after the addresses). */
export const tupleText = (t: ConntrackTuple): string => `${endpoint(t.src, t.sport)} → ${endpoint(t.dst, t.dport)}${t.id !== undefined ? ` id ${t.id}` : ''}`;

/** An entry's identity: the kernel's id, or its original tuple when the id was not printed. */
export const entryKey = (e: ConntrackEntry): string => (e.id !== null ? `id:${e.id}` : `${e.protocol} ${tupleText(e.original)}`);

/** The ct.flush match that deletes exactly this entry's flow (by its original tuple). */
export function flushMatchOf(e: ConntrackEntry): NonNullable<Params<'ct.flush'>['match']> | null {
  if (e.protocol !== 'tcp' && e.protocol !== 'udp' && e.protocol !== 'icmp') return null;
  const ipv4 = /^\d+\.\d+\.\d+\.\d+$/;
  if (!ipv4.test(e.original.src) || !ipv4.test(e.original.dst)) return null;
  return {
    protocol: e.protocol,
    src: e.original.src,
    dst: e.original.dst,
    ...(e.protocol !== 'icmp' && e.original.sport !== undefined ? { sport: e.original.sport } : {}),
    ...(e.protocol !== 'icmp' && e.original.dport !== undefined ? { dport: e.original.dport } : {}),
  };
}

/** The table after one event. */
export function applyEvent(entries: ConntrackEntry[], type: CtLogLine['type'], entry: ConntrackEntry): ConntrackEntry[] {
  const key = entryKey(entry);
  const rest = entries.filter((e) => entryKey(e) !== key);
  if (type === 'DESTROY') return rest;
  const old = entries.find((e) => entryKey(e) === key);
  // An UPDATE carries no nat rule (only NEW is linked): keep the one the NEW brought.
  return [...rest, { ...entry, natRule: entry.natRule ?? old?.natRule ?? null }];
}

export const useConntrackStore = defineStore('conntrack', () => {
  const api = useApi();
  const stored = readStored(CT_STORAGE.node);
  const node = ref<string | null>(stored || null);
  const live = ref(readStored(CT_STORAGE.live) !== 'off');
  const netns = ref<string | null>(null);
  const entries = shallowRef<ConntrackEntry[]>([]);
  const stats = shallowRef<ConntrackStats | null>(null);
  const acct = ref(false);
  const log = shallowRef<CtLogLine[]>([]);
  /** ENOBUFS reports from the kernel while watching (target 0). */
  const lost = ref(0);
  /** Why the watch ended, when the helper said so. */
  const ended = ref<string | null>(null);
  const watching = ref<string | null>(null);
  const { loading, error, track } = useLoading();
  let seq = 0;
  let stopEvents: (() => void) | null = null;
  /** Events that came while a ct.list was on its way: its answer may predate them, so they go on top. */
  const duringLoads = new Set<CtLogLine[]>();

  /** The node whose table `entries` holds (a read for another node answers into nothing). */
  let tableOf: string | null = null;

  const load = (): Promise<void> =>
    track(async () => {
      const asked = node.value;
      if (!asked) return;
      const during: CtLogLine[] = [];
      duringLoads.add(during);
      try {
        const r = await unlessStale(api.call('ct.list', { node: asked }), () => node.value !== asked);
        if (!r) return;
        netns.value = r.netns;
        entries.value = during.reduce((table, l) => applyEvent(table, l.type, l.entry), r.entries);
        stats.value = r.stats;
        acct.value = r.acct;
        tableOf = asked;
      } finally {
        duringLoads.delete(during);
      }
    });
  const mutations = useMutations<string>(load);
  /** Watching is not a change: it neither waits for a flush nor reloads the table. */
  const watchMutations = useMutations<'watch'>();

  const sorted = computed(() => [...entries.value].sort((a, b) => a.protocol.localeCompare(b.protocol) || tupleText(a.original).localeCompare(tupleText(b.original))));

  function onEvent(ev: ConntrackEvent): void {
    if (ev.netns !== netns.value) return;
    if (ev.kind === 'lost') lost.value = ev.lost;
    else if (ev.kind === 'end') {
      ended.value = ev.reason;
      watching.value = null;
    } else {
      const line: CtLogLine = { seq: ++seq, type: ev.type, at: ev.at, entry: ev.entry };
      entries.value = applyEvent(entries.value, ev.type, ev.entry);
      log.value = [line, ...log.value].slice(0, CT_LOG_SIZE);
      for (const during of duringLoads) during.push(line);
    }
  }

  /** The panel is open: it wants its node watched (when live). */
  let active = false;

  async function unwatchNow(): Promise<void> {
    const was = watching.value;
    watching.value = null;
    if (was) await api.call('ct.unwatch', { node: was }).catch(() => undefined);
  }

  /** Watches `name`; true once the helper listens. */
  async function watchNow(name: string): Promise<boolean> {
    stopEvents ??= api.on('ct.event', onEvent);
    ended.value = null;
    lost.value = 0;
    const r = await watchMutations.run('watch', () => api.call('ct.watch', { node: name }));
    // Its end may come before the reply (conntrack failed at once): that watch is already over.
    if (!r || ended.value !== null) return false;
    watching.value = name;
    return true;
  }

  // Choosing a node, turning live on or off and closing the panel only say what is wanted; this brings the
  // helper's watch and the table to it, one run at a time. A node chosen while another's ct.watch is on its
  // way is settled by the run after it, so the watch ends on the node shown, never on the one before.
  const settle = coalesced(async () => {
    const name = node.value;
    const want = active && live.value ? name : null;
    if (watching.value !== want) await unwatchNow();
    if (name !== node.value) return;
    if (name && tableOf !== name) await load();
    if (!want || watching.value === want || error.value || want !== node.value) return;
    // The table is read again once the watch listens, so a flow made between the two shows too.
    if ((await watchNow(want)) && want === node.value) await load();
  });
  /** The node shown is the one watched (not one left from before it was picked). */
  const watchingShown = computed(() => watching.value !== null && watching.value === node.value);

  /** Watches the node shown (the live switch on). */
  const watch = (): Promise<void> => {
    active = true;
    return settle();
  };

  /** Stops watching, keeping the table. */
  const unwatch = (): Promise<void> => {
    active = false;
    return settle();
  };

  async function setLive(on: boolean): Promise<void> {
    live.value = on;
    writeStored(CT_STORAGE.live, on ? null : 'off');
    await settle();
  }

  async function show(name: string | null): Promise<void> {
    active = true;
    node.value = name;
    writeStored(CT_STORAGE.node, name);
    tableOf = null;
    entries.value = [];
    stats.value = null;
    log.value = [];
    netns.value = null;
    mutations.reset();
    await settle();
  }

  function stop(): void {
    void unwatch();
    stopEvents?.();
    stopEvents = null;
  }

  const flushEntry = (e: ConntrackEntry): Promise<unknown> => {
    const match = flushMatchOf(e);
    return match && node.value ? mutations.run(`flush:${entryKey(e)}`, () => api.call('ct.flush', { node: node.value!, match })) : Promise.resolve(undefined);
  };
  const flushAll = (): Promise<unknown> => (node.value ? mutations.run('flush-all', () => api.call('ct.flush', { node: node.value!, all: true })) : Promise.resolve(undefined));

  return { node, live, netns, entries, sorted, stats, acct, log, lost, ended, watching, watchingShown, loading, error, mutations, watchMutations, load, show, watch, unwatch, setLive, stop, flushEntry, flushAll };
});
