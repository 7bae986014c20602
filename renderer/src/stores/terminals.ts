// Live terminals: the tabs of this view and the helper sessions behind them. Output goes to each tab's
// xterm.js screen and is acknowledged from xterm's write callback, batched (flow control); input, resizes
// (debounced) and kills go back through the api. The open tabs are remembered per browser tab
// (sessionStorage), so a reloaded page re-attaches them — the helper replays their scrollback as output,
// then live output follows — within the helper's grace period (10 min by default, `graceMs`). A closed tab
// leaves its list in localStorage too: a page opened afresh takes back those of its shells nobody else has
// attached. Every live session of the helper is listed (Running shells) for attaching from any tab.
import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef, watch } from 'vue';
import type { PtyInfo, PtyTarget } from '@shared/contract/index';
import { toNslabError, type NslabError } from '@shared/errors';
import { useApi } from '../api';
import { EarlyOutput } from '../terminal/early';
import { AckBatcher, RESIZE_DEBOUNCE_MS, WRITE_CHUNK_CHARS, debounce, type Debounced } from '../terminal/flow';
import { isRendererChoice, type RendererChoice } from '../terminal/rendererChoice';
import type { Screen } from '../terminal/screen';
import { chunks } from '../terminal/split';
import { readStored, writeStored } from './storage';
import { useUiStore } from './ui';

export const TERMINAL_STORAGE = { fontSize: 'nslab.terminals.fontSize', tabs: 'nslab.terminals.tabs', recent: 'nslab.terminals.recent', renderer: 'nslab.terminals.renderer' } as const;
/** How often the Running shells list is refreshed while it is shown. */
export const SESSIONS_REFRESH_MS = 5_000;
export const FONT_SIZE = { min: 8, max: 32, initial: 14 } as const;
/** A tab whose kill (SIGHUP) has not ended it after this long gets SIGKILL. */
export const KILL_GRACE_MS = 2_000;

export interface TerminalTab {
  id: string;
  title: string;
  target: PtyTarget;
  pid: number;
  exited: PtyInfo['exited'];
  /** When its session started: a restarted helper numbers its terminals from t1 again, so an id alone is not enough. */
  startedAt: string;
}

interface Live {
  screen: Screen;
  ack: AckBatcher;
  resize: Debounced<[{ cols: number; rows: number }]>;
}


const clampFont = (n: number): number => Math.min(FONT_SIZE.max, Math.max(FONT_SIZE.min, Math.round(n)));

function storedFont(): number {
  const n = Number(readStored(TERMINAL_STORAGE.fontSize));
  return Number.isFinite(n) && n > 0 ? clampFont(n) : FONT_SIZE.initial;
}

/** The tabs a page remembered (this browser tab's own, or — `recent` — the last page's), or null if none did. */
interface Remembered {
  ids: string[];
  active: string | null;
  /** id → startedAt: a session under a remembered id that started at another time is somebody else's. */
  started: Record<string, string>;
}

function storedTabs(where: 'session' | 'local'): Remembered | null {
  try {
    const v = JSON.parse(readStored(where === 'session' ? TERMINAL_STORAGE.tabs : TERMINAL_STORAGE.recent, where) ?? 'null') as { ids?: unknown; active?: unknown; started?: unknown } | null;
    if (v === null || typeof v !== 'object') return null;
    const ids = Array.isArray(v.ids) ? v.ids.filter((x): x is string => typeof x === 'string' && /^t\d+$/.test(x)) : [];
    const started: Record<string, string> = {};
    if (v.started && typeof v.started === 'object') for (const [k, at] of Object.entries(v.started)) if (typeof at === 'string') started[k] = at;
    return { ids, active: typeof v.active === 'string' ? v.active : null, started };
  } catch {
    return null;
  }
}

/** What a tab is called: the node's name, "host", or the process id. */
export function targetTitle(target: PtyTarget): string {
  if (target.kind === 'container') return `container ${target.name}`;
  return target.kind === 'node' ? target.node : target.kind === 'host' ? 'host' : `pid ${target.pid}`;
}

/** xterm.js and its addons (terminal/screen.ts), a chunk of its own: loaded with the first terminal, not at start. */
let screens: typeof import('../terminal/screen') | null = null;
const loadScreens = async (): Promise<void> => void (screens ??= await import('../terminal/screen'));

export const useTerminalsStore = defineStore('terminals', () => {
  const ui = useUiStore();
  const tabs = ref<TerminalTab[]>([]);
  const active = ref<string | null>(null);
  /** Every session of the helper, as pty.list last said (Running shells). */
  const sessions = shallowRef<PtyInfo[]>([]);
  /** Live sessions on the helper that no tab here shows (another window's, or left by a closed one). */
  const others = computed(() => sessions.value.filter((s) => !s.exited && !tabs.value.some((t) => t.id === s.id) && !closing.has(s.id)));
  /** How long the helper keeps a shell running after its last client left (null until known). */
  const graceMs = ref<number | null>(null);
  const fontSize = ref(storedFont());
  /** 'auto': xterm's WebGL renderer on a GPU, DOM otherwise; 'dom': always DOM; 'webgl': WebGL also on software GL. */
  const storedRenderer = readStored(TERMINAL_STORAGE.renderer);
  const renderer = ref<RendererChoice>(isRendererChoice(storedRenderer) ? storedRenderer : 'auto');
  const error = shallowRef<NslabError | null>(null);
  const opening = ref(false);
  const ready = ref(false);

  const live = new Map<string, Live>();
  /** Output that arrived while its tab was being set up (attach in flight, or open not answered yet). */
  const early = new EarlyOutput();
  const attaching = new Set<string>();
  /** Closed tabs whose session has not reported its exit yet. */
  const closing = new Map<string, ReturnType<typeof setTimeout>>();
  let stops: (() => void)[] = [];
  let starting: Promise<void> | null = null;
  let lastSize = { cols: 80, rows: 24 };
  let lostConnection = false;
  let disposed = false;

  const activeTab = computed(() => tabs.value.find((t) => t.id === active.value) ?? null);

  function persist(): void {
    if (disposed) return;
    const started = Object.fromEntries(tabs.value.map((t) => [t.id, t.startedAt]));
    const state = JSON.stringify({ ids: tabs.value.map((t) => t.id), active: active.value, started });
    writeStored(TERMINAL_STORAGE.tabs, state, 'session');
    writeStored(TERMINAL_STORAGE.recent, state);
  }
  watch([tabs, active], persist, { deep: true });

  function report(err: unknown): void {
    error.value = toNslabError(err);
  }

  function onData({ id, data }: { id: string; data: string }): void {
    if (closing.has(id)) return; // a closed tab's last words
    const l = live.get(id);
    if (!l || attaching.has(id)) early.hold(id, data);
    else show(l, data);
  }

  /** Live output to a screen, acknowledged once xterm has parsed it. */
  function show(l: Live, data: string): void {
    l.screen.write(data, () => l.ack.rendered(data.length));
  }

  /** Writes what arrived before the screen was ready (after its scrollback, before what comes next). */
  function flushEarly(id: string): void {
    const l = live.get(id);
    if (l) early.flush(id, (data) => show(l, data));
  }

  /** Typed or pasted text (or a lab's command) to a session, in pieces pty.write accepts. */
  function send(id: string, text: string): void {
    for (const data of chunks(text, WRITE_CHUNK_CHARS)) useApi().notify('pty.write', { id, data });
  }

  function onExit({ id, code, signal }: { id: string; code: number | null; signal: string | null }): void {
    const timer = closing.get(id);
    if (timer) {
      clearTimeout(timer);
      closing.delete(id);
    }
    const tab = tabs.value.find((t) => t.id === id);
    if (tab) tab.exited = { code, signal };
    live.get(id)?.ack.flush();
  }

  /** Creates (or clears, for a re-attach) the screen of a session, then writes whatever output already arrived. */
  function register(info: PtyInfo): void {
    const api = useApi();
    const id = info.id;
    let l = live.get(id);
    if (l) l.screen.reset();
    else {
      const screen = markRaw(screens!.createScreen({ cols: info.cols, rows: info.rows, fontSize: fontSize.value, theme: ui.effectiveTheme, renderer: renderer.value }));
      const ack = new AckBatcher((chars) => api.notify('pty.ack', { id, chars }));
      const resize = debounce(({ cols, rows }: { cols: number; rows: number }) => {
        // Only the two numbers: xterm's event carries more, and the contract's params are strict.
        lastSize = { cols, rows };
        api.notify('pty.resize', { id, cols, rows });
      }, RESIZE_DEBOUNCE_MS);
      screen.onInput((data) => send(id, data));
      screen.onResize((size) => resize(size));
      l = { screen, ack, resize };
      live.set(id, l);
      const tab: TerminalTab = { id, title: info.title || targetTitle(info.target), target: info.target, pid: info.pid, exited: info.exited, startedAt: info.startedAt };
      tabs.value.push(tab);
    }
    // The replayed scrollback is ordinary output (held while attaching): written and acknowledged like it.
    flushEarly(id);
    const tab = tabs.value.find((t) => t.id === id);
    if (tab) tab.exited = info.exited;
  }

  function drop(id: string): void {
    const l = live.get(id);
    if (l) {
      l.ack.dispose();
      l.resize.cancel();
      l.screen.dispose();
      live.delete(id);
    }
    early.drop(id);
    const i = tabs.value.findIndex((t) => t.id === id);
    if (i === -1) return;
    tabs.value.splice(i, 1);
    if (active.value === id) active.value = tabs.value[Math.min(i, tabs.value.length - 1)]?.id ?? null;
  }

  async function attachOne(id: string): Promise<boolean> {
    attaching.add(id);
    try {
      await loadScreens();
      const { replayChars: _replayed, ...info } = await useApi().call('pty.attach', { id });
      register(info);
      return true;
    } catch (err) {
      report(err);
      return false;
    } finally {
      attaching.delete(id);
      flushEarly(id); // anything that slipped in between the answer and now
    }
  }

  /** Takes over a session another view left (or this page had before a reload). */
  async function attach(id: string): Promise<void> {
    error.value = null;
    await start();
    if (live.has(id)) {
      active.value = id;
      return;
    }
    if (await attachOne(id)) active.value = id;
    await refreshOthers();
  }

  /** Asks the helper for every session (Running shells). */
  async function refreshOthers(): Promise<void> {
    try {
      sessions.value = (await useApi().call('pty.list', {})).sessions;
    } catch (err) {
      report(err);
    }
  }

  /** The helper's grace, for the setting (a helper too old to know pty.config leaves it unknown). */
  async function loadConfig(): Promise<void> {
    try {
      graceMs.value = (await useApi().call('pty.config', {})).graceMs;
    } catch {
      graceMs.value = null;
    }
  }

  /** Changes how long every shell outlives its last client (the helper remembers it). */
  async function setGrace(ms: number): Promise<void> {
    error.value = null;
    try {
      graceMs.value = (await useApi().call('pty.config', { graceMs: ms })).graceMs;
      await refreshOthers();
    } catch (err) {
      report(err);
    }
  }

  /**
   * Re-attaches the tabs this page remembers (after a reload), in their order; a page opened afresh (a
   * closed tab reopened) takes back the last page's shells that no other client has attached meanwhile.
   */
  async function restore(): Promise<void> {
    const own = storedTabs('session');
    const remembered = own ?? storedTabs('local') ?? { ids: [], active: null, started: {} };
    let list: PtyInfo[];
    try {
      list = (await useApi().call('pty.list', {})).sessions;
    } catch (err) {
      report(err);
      return;
    }
    const byId = new Map(list.map((s) => [s.id, s]));
    for (const id of remembered.ids) {
      const s = byId.get(id);
      if (!s || live.has(id) || (own === null && (s.clients > 0 || s.exited))) continue;
      if (remembered.started[id] !== undefined && remembered.started[id] !== s.startedAt) continue; // a restarted helper's

      await attachOne(id);
    }
    sessions.value = list;
    if (remembered.active && live.has(remembered.active)) active.value = remembered.active;
    else active.value ??= tabs.value[0]?.id ?? null;
    persist();
  }

  /** After the connection came back, the helper sees a new client: take every tab's session back. */
  async function reclaim(): Promise<void> {
    let list: PtyInfo[] = [];
    try {
      list = (await useApi().call('pty.list', {})).sessions;
    } catch {
      // attaching below says what is wrong
    }
    for (const tab of [...tabs.value]) {
      if (tab.exited) continue;
      // Another session under the same id (the helper was restarted): this tab's shell is gone.
      const same = list.find((s) => s.id === tab.id);
      if (same && same.startedAt !== tab.startedAt) {
        tab.exited = { code: null, signal: null };
        continue;
      }
      if (!(await attachOne(tab.id)) && !tab.exited) tab.exited = { code: null, signal: null };
    }
    error.value = null;
    await Promise.all([refreshOthers(), loadConfig()]);
  }

  function start(): Promise<void> {
    if (starting) return starting;
    disposed = false;
    const api = useApi();
    stops = [
      api.on('pty.data', onData),
      api.on('pty.exit', onExit),
      api.on('helper.status', (s) => {
        if (s.state !== 'ready') lostConnection = true;
        else if (lostConnection) {
          lostConnection = false;
          void reclaim();
        }
      }),
    ];
    starting = Promise.all([restore(), loadConfig()])
      .then(() => undefined)
      .finally(() => (ready.value = true));
    return starting;
  }

  /** Opens a shell on `target`; with `cgroup`, the shell starts inside nslab/<cgroup>. */
  async function open(target: PtyTarget, cgroup?: string): Promise<string | null> {
    error.value = null;
    opening.value = true;
    try {
      await start();
      await loadScreens(); // before the shell exists: a chunk that cannot load leaves no shell behind
      const info = await useApi().call('pty.open', { target, ...lastSize, ...(cgroup === undefined ? {} : { cgroup }) });
      register(info);
      active.value = info.id;
      ui.open('terminals');
      return info.id;
    } catch (err) {
      report(err);
      return null;
    } finally {
      opening.value = false;
    }
  }

  /** "Open terminal here" from a Topology node. */
  const openNode = (node: string): Promise<string | null> => open({ kind: 'node', node });
  const openHost = (): Promise<string | null> => open({ kind: 'host' });
  const openPid = (pid: number): Promise<string | null> => open({ kind: 'pid', pid });
  /** "Open a shell" from the Containers panel: the container's namespaces, cgroup and capabilities. */
  const openContainer = (name: string): Promise<string | null> => open({ kind: 'container', name });
  /** "Open a terminal in this group" from the Cgroups panel: on the host, or in a node's network namespace. */
  const openInCgroup = (name: string, node?: string): Promise<string | null> => open(node ? { kind: 'node', node } : { kind: 'host' }, name);

  /** Closes a tab and kills its session (SIGHUP to the whole session, SIGKILL if that is ignored). */
  async function close(id: string): Promise<void> {
    const tab = tabs.value.find((t) => t.id === id);
    if (!tab) return;
    const running = !tab.exited;
    drop(id);
    if (!running) return;
    const api = useApi();
    closing.set(
      id,
      setTimeout(() => {
        closing.delete(id);
        void api.call('pty.kill', { id, signal: 'SIGKILL' }).catch(() => undefined);
      }, KILL_GRACE_MS),
    );
    try {
      await api.call('pty.kill', { id, signal: 'SIGHUP' });
    } catch {
      // already gone (or no longer ours): nothing left to kill
      const timer = closing.get(id);
      if (timer) clearTimeout(timer);
      closing.delete(id);
    }
  }

  function select(id: string): void {
    if (live.has(id)) active.value = id;
  }

  /** Next (+1) or previous (-1) tab, wrapping. */
  function cycle(delta: number): void {
    const n = tabs.value.length;
    if (n === 0) return;
    const i = tabs.value.findIndex((t) => t.id === active.value);
    active.value = tabs.value[(((i === -1 ? 0 : i) + delta) % n + n) % n]!.id;
  }

  function setFontSize(px: number): void {
    fontSize.value = clampFont(px);
  }
  watch(fontSize, (px) => {
    writeStored(TERMINAL_STORAGE.fontSize, String(px));
    for (const l of live.values()) {
      l.screen.setFontSize(px);
      l.screen.fit();
    }
  });
  function setRenderer(choice: RendererChoice): void {
    renderer.value = choice;
  }
  watch(renderer, (choice) => {
    writeStored(TERMINAL_STORAGE.renderer, choice === 'auto' ? null : choice);
    for (const l of live.values()) {
      l.screen.setRenderer(choice);
      l.screen.fit();
    }
  });
  watch(
    () => ui.effectiveTheme,
    (theme) => {
      for (const l of live.values()) l.screen.setTheme(theme);
    },
  );

  /** The screen of a tab, for the view that shows it. */
  function screenOf(id: string): Screen | null {
    return live.get(id)?.screen ?? null;
  }

  /** Stops listening and frees the screens; sessions keep running (the helper's grace period applies). */
  function dispose(): void {
    disposed = true;
    for (const stop of stops) stop();
    stops = [];
    starting = null;
    ready.value = false;
    for (const l of live.values()) {
      l.ack.flush();
      l.ack.dispose();
      l.resize.cancel();
      l.screen.dispose();
    }
    live.clear();
    early.clear();
    for (const timer of closing.values()) clearTimeout(timer);
    closing.clear();
    tabs.value = [];
    active.value = null;
  }

  return {
    tabs,
    active,
    activeTab,
    sessions,
    others,
    graceMs,
    setGrace,
    fontSize,
    renderer,
    setRenderer,
    error,
    opening,
    ready,
    start,
    open,
    openNode,
    openHost,
    openPid,
    openContainer,
    openInCgroup,
    attach,
    close,
    select,
    cycle,
    setFontSize,
    refreshOthers,
    send,
    screenOf,
    dispose,
  };
});
