// The Terminals store and panel against a scripted api and a fake screen (xterm.js itself is exercised by
// tests/e2e/terminals.e2e.ts): flow-control acks, re-attach order, resize debounce, close kills.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PtyInfo } from '../../electron/shared/contract/index';
import { createAppI18n } from '../../renderer/src/i18n';
import { ACK_CHARS, ACK_DELAY_MS, AckBatcher, RESIZE_DEBOUNCE_MS, WRITE_CHUNK_CHARS } from '../../renderer/src/terminal/flow';
import { chunks } from '../../renderer/src/terminal/split';
import { shortcut } from '../../renderer/src/panels/Terminals/keys';
import NodeDetails from '../../renderer/src/panels/Topology/NodeDetails.vue';
import TerminalsPanel from '../../renderer/src/panels/Terminals/TerminalsPanel.vue';
import { FONT_SIZE, KILL_GRACE_MS, TERMINAL_STORAGE, useTerminalsStore } from '../../renderer/src/stores/terminals';
import { useHelperStore } from '../../renderer/src/stores/helper';
import { useUiStore } from '../../renderer/src/stores/ui';
import { fakeApi, flush, redBlue, type FakeApi } from './fake-api';

// A screen that records what is written and lets the test decide when xterm "has parsed" it.
interface FakeScreen {
  writes: { data: string; acked: boolean }[];
  parsed: (() => void)[];
  input?: (d: string) => void;
  resized?: (s: { cols: number; rows: number }) => void;
  fontSize: number;
  theme: string;
  renderer: string;
  disposed: boolean;
  resets: number;
  parseAll(): void;
}
const screens: FakeScreen[] = [];
vi.mock('../../renderer/src/terminal/screen', () => ({
  createScreen: (opts: { cols: number; rows: number; fontSize: number; theme: string; renderer?: string }) => {
    const s: FakeScreen = {
      writes: [],
      parsed: [],
      fontSize: opts.fontSize,
      theme: opts.theme,
      renderer: opts.renderer ?? 'auto',
      disposed: false,
      resets: 0,
      parseAll() {
        for (const cb of s.parsed.splice(0)) cb();
      },
    };
    screens.push(s);
    return {
      cols: opts.cols,
      rows: opts.rows,
      write(data: string, parsed?: () => void) {
        s.writes.push({ data, acked: parsed !== undefined });
        if (parsed) s.parsed.push(parsed);
      },
      reset: () => void s.resets++,
      onInput: (l: (d: string) => void) => (s.input = l),
      onResize: (l: (x: { cols: number; rows: number }) => void) => (s.resized = l),
      setShortcutFilter: () => undefined,
      mount: () => undefined,
      unmount: () => undefined,
      fit: () => undefined,
      focus: () => undefined,
      selection: () => 'selected text',
      paste: (text: string) => s.input?.(text),
      find: () => true,
      clearSearch: () => undefined,
      setFontSize: (px: number) => (s.fontSize = px),
      setTheme: (t: string) => (s.theme = t),
      setRenderer: (r: string) => (s.renderer = r),
      renderer: 'dom',
      dispose: () => (s.disposed = true),
    };
  },
}));

const info = (id: string, extra: Partial<PtyInfo> = {}): PtyInfo => ({
  id,
  pid: 4242,
  target: { kind: 'node', node: 'red' },
  title: 'red',
  cols: 80,
  rows: 24,
  detached: false,
  exited: null,
  command: 'ip netns exec nslab-red /bin/bash',
  startedAt: '2026-12-01T10:00:00.000Z',
  clients: 0,
  endsAt: null,
  ...extra,
});

function ptyApi(extra: Parameters<typeof fakeApi>[0] = {}): FakeApi {
  let next = 1;
  return fakeApi({
    'pty.list': () => ({ sessions: [] }),
    'pty.open': (p) => {
      const target = (p as { target: PtyInfo['target'] }).target;
      return info(`t${next++}`, { target, title: target.kind === 'node' ? target.node : target.kind === 'host' ? 'host' : target.kind === 'pid' ? `pid ${target.pid}` : `container ${target.name}` });
    },
    'pty.write': () => ({}),
    'pty.ack': () => ({}),
    'pty.resize': (p) => p,
    'pty.kill': () => ({}),
    ...extra,
  });
}

const callsOf = (api: FakeApi, method: string) => api.calls.filter((c) => c.method === method).map((c) => c.params);

beforeEach(() => {
  screens.length = 0;
  localStorage.clear();
  sessionStorage.clear();
  setActivePinia(createPinia());
});
afterEach(() => {
  vi.useRealTimers();
});

describe('AckBatcher and friends', () => {
  it('sends once the threshold is reached, else after a short delay, and nothing after dispose', () => {
    vi.useFakeTimers();
    const sent: number[] = [];
    const ack = new AckBatcher((n) => sent.push(n));
    ack.rendered(ACK_CHARS - 1);
    expect(sent).toEqual([]);
    ack.rendered(1);
    expect(sent).toEqual([ACK_CHARS]);
    ack.rendered(10);
    vi.advanceTimersByTime(ACK_DELAY_MS - 1);
    expect(sent).toEqual([ACK_CHARS]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([ACK_CHARS, 10]);
    ack.rendered(7);
    ack.dispose();
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([ACK_CHARS, 10]);
  });

  it('splits long input for pty.write without breaking a surrogate pair', () => {
    const text = 'a'.repeat(9) + '😀' + 'b'.repeat(20);
    const parts = chunks(text, 10);
    expect(parts.join('')).toBe(text);
    expect(parts.every((p) => p.length <= 10)).toBe(true);
    expect(parts.some((p) => p.endsWith('\ud83d'))).toBe(false);
    expect(chunks('short', WRITE_CHUNK_CHARS)).toEqual(['short']);
  });

  it('maps the shortcuts and leaves ordinary keys to the shell', () => {
    const k = (key: string, mods: Partial<KeyboardEvent> = {}) => shortcut({ type: 'keydown', key, code: '', ctrlKey: false, shiftKey: false, altKey: false, metaKey: false, ...mods });
    expect(k('C', { ctrlKey: true, shiftKey: true })).toBe('copy');
    expect(k('c', { ctrlKey: true })).toBeNull(); // Ctrl+C is the shell's interrupt
    expect(k('F', { ctrlKey: true, shiftKey: true })).toBe('search');
    expect(k('=', { ctrlKey: true })).toBe('fontUp');
    expect(k('ArrowRight', { altKey: true, shiftKey: true })).toBe('next');
    expect(shortcut({ type: 'keydown', key: '3', code: 'Digit3', ctrlKey: false, shiftKey: false, altKey: true, metaKey: false })).toEqual({ tab: 2 });
    expect(k('a')).toBeNull();
    expect(shortcut({ type: 'keyup', key: 'C', code: 'KeyC', ctrlKey: true, shiftKey: true, altKey: false, metaKey: false })).toBeNull();
  });
});

describe('useTerminalsStore', () => {
  it('acknowledges only what xterm parsed, batched — never on receipt', async () => {
    vi.useFakeTimers();
    const api = ptyApi();
    const store = useTerminalsStore();
    const id = (await store.openNode('red'))!;
    expect(id).toBe('t1');
    const screen = screens[0]!;
    for (let i = 0; i < 10; i++) api.emit('pty.data', { id, data: 'x'.repeat(1000) });
    expect(screen.writes).toHaveLength(10);
    expect(callsOf(api, 'pty.ack')).toEqual([]); // received, not yet rendered
    screen.parsed.splice(0, 4).forEach((cb) => cb()); // 4 000 chars parsed: below the batch size
    expect(callsOf(api, 'pty.ack')).toEqual([]);
    screen.parsed.splice(0, 1)[0]!(); // 5 000
    expect(callsOf(api, 'pty.ack')).toEqual([{ id, chars: 5000 }]);
    screen.parsed.splice(0, 2).forEach((cb) => cb()); // 2 000 more, then the timer
    expect(callsOf(api, 'pty.ack')).toHaveLength(1);
    vi.advanceTimersByTime(ACK_DELAY_MS);
    expect(callsOf(api, 'pty.ack')).toEqual([{ id, chars: 5000 }, { id, chars: 2000 }]);
    screen.parseAll();
    vi.advanceTimersByTime(ACK_DELAY_MS);
    const total = callsOf(api, 'pty.ack').reduce<number>((n, p) => n + (p as { chars: number }).chars, 0);
    expect(total).toBe(10_000);
    expect(callsOf(api, 'pty.ack').length).toBeLessThan(10);
  });

  it('opens a tab named after its target, types through pty.write and switches to the panel', async () => {
    const api = ptyApi();
    const store = useTerminalsStore();
    const ui = useUiStore();
    await store.openNode('red');
    expect(callsOf(api, 'pty.open')).toEqual([{ target: { kind: 'node', node: 'red' }, cols: 80, rows: 24 }]);
    expect(ui.panel).toBe('terminals');
    expect(store.tabs.map((t) => t.title)).toEqual(['red']);
    expect(store.active).toBe('t1');
    screens[0]!.input!('ip -br addr\r');
    expect(callsOf(api, 'pty.write')).toEqual([{ id: 't1', data: 'ip -br addr\r' }]);
  });

  it('debounces resizes into one pty.resize with the last size', async () => {
    vi.useFakeTimers();
    const api = ptyApi();
    const store = useTerminalsStore();
    await store.openNode('red');
    const screen = screens[0]!;
    screen.resized!({ cols: 100, rows: 30 });
    vi.advanceTimersByTime(RESIZE_DEBOUNCE_MS / 2);
    screen.resized!({ cols: 110, rows: 31 });
    // xterm's event carries more than the size; only cols and rows go out (the params are strict)
    screen.resized!({ cols: 120, rows: 32, colsChanged: true, rowsChanged: true } as { cols: number; rows: number });
    vi.advanceTimersByTime(RESIZE_DEBOUNCE_MS - 1);
    expect(callsOf(api, 'pty.resize')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(callsOf(api, 'pty.resize')).toEqual([{ id: 't1', cols: 120, rows: 32 }]);
    // the next terminal starts at the size the last one settled on
    await store.openNode('blue');
    expect(callsOf(api, 'pty.open').at(-1)).toEqual({ target: { kind: 'node', node: 'blue' }, cols: 120, rows: 32 });
  });

  it('closing a tab kills its session (SIGHUP, then SIGKILL if it does not end) and frees the screen', async () => {
    vi.useFakeTimers();
    const api = ptyApi();
    const store = useTerminalsStore();
    await store.openNode('red');
    await store.openNode('blue');
    await store.openNode('red');
    store.select('t2');
    await store.close('t2');
    expect(callsOf(api, 'pty.kill')).toEqual([{ id: 't2', signal: 'SIGHUP' }]);
    expect(store.tabs.map((t) => t.id)).toEqual(['t1', 't3']);
    expect(store.active).toBe('t3'); // the neighbour takes over
    expect(screens[1]!.disposed).toBe(true);
    // output a dying session still sends goes nowhere
    api.emit('pty.data', { id: 't2', data: 'bye' });
    expect(screens[1]!.writes).toEqual([]);
    vi.advanceTimersByTime(KILL_GRACE_MS);
    expect(callsOf(api, 'pty.kill')).toEqual([{ id: 't2', signal: 'SIGHUP' }, { id: 't2', signal: 'SIGKILL' }]);
    // one that exits in time is not SIGKILLed
    await store.close('t3');
    api.emit('pty.exit', { id: 't3', code: 129, signal: null });
    vi.advanceTimersByTime(KILL_GRACE_MS);
    expect(callsOf(api, 'pty.kill').filter((p) => (p as { id: string }).id === 't3')).toEqual([{ id: 't3', signal: 'SIGHUP' }]);
    // an exited tab closes without a kill
    api.emit('pty.exit', { id: 't1', code: 0, signal: null });
    expect(store.tabs[0]!.exited).toEqual({ code: 0, signal: null });
    await store.close('t1');
    expect(callsOf(api, 'pty.kill')).toHaveLength(3);
    expect(store.tabs).toEqual([]);
    expect(store.active).toBeNull();
  });

  it('after a reload, re-attaches the remembered tabs: the replayed scrollback, then live output, all acknowledged', async () => {
    vi.useFakeTimers();
    sessionStorage.setItem(TERMINAL_STORAGE.tabs, JSON.stringify({ ids: ['t7', 't9'], active: 't9' }));
    let answer!: (v: unknown) => void;
    const api = ptyApi({
      // t9 is gone (it exited long ago); t8 belongs to somebody else
      'pty.list': () => ({ sessions: [info('t7'), info('t8', { title: 'blue', clients: 1 })] }),
      'pty.attach': () => new Promise((r) => (answer = r)),
      'pty.config': () => ({ graceMs: 600_000, scrollbackChars: 262_144 }),
    });
    const store = useTerminalsStore();
    const started = store.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(callsOf(api, 'pty.attach')).toEqual([{ id: 't7' }]);
    // the helper replays the scrollback as output, then live output follows, before the answer is handled
    api.emit('pty.data', { id: 't7', data: 'old output\r\n' });
    api.emit('pty.data', { id: 't7', data: 'live-1' });
    answer({ ...info('t7'), replayChars: 'old output\r\n'.length });
    await started;
    api.emit('pty.data', { id: 't7', data: 'live-2' });
    const screen = screens[0]!;
    expect(screen.writes).toEqual([
      { data: 'old output\r\n', acked: true },
      { data: 'live-1', acked: true },
      { data: 'live-2', acked: true },
    ]);
    screen.parseAll();
    vi.advanceTimersByTime(ACK_DELAY_MS);
    expect(callsOf(api, 'pty.ack')).toEqual([{ id: 't7', chars: 'old output\r\n'.length + 'live-1'.length + 'live-2'.length }]);
    expect(store.tabs.map((t) => t.id)).toEqual(['t7']);
    expect(store.active).toBe('t7');
    expect(store.others.map((o) => o.id)).toEqual(['t8']);
    expect(store.graceMs).toBe(600_000);
    // and the page remembers what it shows now (this tab's, and the browser's last page's)
    const remembered = { ids: ['t7'], active: 't7', started: { t7: '2026-12-01T10:00:00.000Z' } };
    expect(JSON.parse(sessionStorage.getItem(TERMINAL_STORAGE.tabs)!)).toEqual(remembered);
    expect(JSON.parse(localStorage.getItem(TERMINAL_STORAGE.recent)!)).toEqual(remembered);
  });

  it('a page opened afresh (the tab was closed) takes back the last page’s shells nobody else has attached', async () => {
    // t6 was the last page's too, but the helper restarted since: its t6 is another shell
    localStorage.setItem(TERMINAL_STORAGE.recent, JSON.stringify({ ids: ['t3', 't4', 't5', 't6'], active: 't4', started: { t6: '2026-11-30T08:00:00.000Z' } }));
    const api = ptyApi({
      // t3: nobody attached (its page was closed); t4: another window has it now; t5: ended
      'pty.list': () => ({
        sessions: [info('t3', { endsAt: '2026-12-01T10:10:00.000Z' }), info('t4', { clients: 1 }), info('t5', { exited: { code: 0, signal: null } }), info('t6')],
      }),
      'pty.attach': (p) => ({ ...info((p as { id: string }).id), replayChars: 0 }),
    });
    const store = useTerminalsStore();
    await store.start();
    expect(callsOf(api, 'pty.attach')).toEqual([{ id: 't3' }]);
    expect(store.tabs.map((t) => t.id)).toEqual(['t3']);
    expect(store.active).toBe('t3');
    expect(store.others.map((o) => o.id)).toEqual(['t4', 't6']);
  });

  it('attaches another live session on request and takes every tab back after the connection returns', async () => {
    const api = ptyApi({
      'pty.list': () => ({ sessions: [info('t8', { title: 'blue' })] }),
      'pty.attach': (p) => {
        api.emit('pty.data', { id: (p as { id: string }).id, data: 'blue$ ' });
        return { ...info((p as { id: string }).id, { title: 'blue' }), replayChars: 6 };
      },
    });
    const store = useTerminalsStore();
    await store.start();
    expect(store.others.map((o) => o.id)).toEqual(['t8']);
    await store.attach('t8');
    expect(store.tabs.map((t) => t.title)).toEqual(['blue']);
    expect(store.others).toEqual([]);
    expect(screens[0]!.writes.map((w) => w.data)).toEqual(['blue$ ']);
    api.emit('helper.status', { state: 'lost', mode: null, restarts: 0, transport: 'browser' });
    api.emit('helper.status', { state: 'ready', mode: 'host', restarts: 0, transport: 'browser' });
    await flush();
    await flush();
    expect(callsOf(api, 'pty.attach')).toEqual([{ id: 't8' }, { id: 't8' }]);
    expect(screens).toHaveLength(1);
    expect(screens[0]!.resets).toBe(1); // the screen is redrawn from the replay, not duplicated
    expect(screens[0]!.writes.map((w) => w.data)).toEqual(['blue$ ', 'blue$ ']);
  });

  it('keeps a typed error when the helper refuses, and remembers the font size within bounds', async () => {
    ptyApi({
      'pty.open': () => {
        throw Object.assign(new Error('node red has no namespace'), { code: 'not-found' });
      },
    });
    const store = useTerminalsStore();
    expect(await store.openNode('red')).toBeNull();
    expect(store.error?.message).toContain('no namespace');
    expect(store.tabs).toEqual([]);
    store.setFontSize(99);
    expect(store.fontSize).toBe(FONT_SIZE.max);
    await flush();
    expect(localStorage.getItem(TERMINAL_STORAGE.fontSize)).toBe(String(FONT_SIZE.max));
    setActivePinia(createPinia());
    expect(useTerminalsStore().fontSize).toBe(FONT_SIZE.max);
    localStorage.setItem(TERMINAL_STORAGE.renderer, 'dom');
    setActivePinia(createPinia());
    expect(useTerminalsStore().renderer).toBe('dom');
    localStorage.setItem(TERMINAL_STORAGE.renderer, 'canvas'); // not a choice: WebGL where possible
    setActivePinia(createPinia());
    expect(useTerminalsStore().renderer).toBe('auto');
  });
});

function mountWith<T>(component: T, props: Record<string, unknown> = {}) {
  const pinia = createPinia();
  setActivePinia(pinia);
  return mount(component as never, { props: props as never, global: { plugins: [pinia, createAppI18n('en')] }, attachTo: document.body });
}

describe('Terminals panel', () => {
  it('shows tabs; the close button kills the session; font buttons resize every screen', async () => {
    const api = ptyApi({ 'topology.show': () => ({ name: null, nodes: redBlue() }), 'topology.list': () => ({ applied: [], builtin: [] }) });
    const w = mountWith(TerminalsPanel);
    await flushPromises();
    expect(w.find('[data-testid="terminals-empty"]').exists()).toBe(true);
    await w.find('[data-testid="terminal-node"]').setValue('blue');
    await w.find('[data-testid="open-node-form"]').trigger('submit');
    await flushPromises();
    expect(callsOf(api, 'pty.open')).toEqual([{ target: { kind: 'node', node: 'blue' }, cols: 80, rows: 24 }]);
    expect(w.find('[data-testid="terminal-tab-t1"]').text()).toBe('blue');
    expect(w.find('[data-testid="terminal-t1"]').exists()).toBe(true);
    await w.find('[data-testid="font-larger"]').trigger('click');
    expect(w.find('[data-testid="font-size"]').text()).toBe(String(FONT_SIZE.initial + 1));
    expect(screens[0]!.fontSize).toBe(FONT_SIZE.initial + 1);
    // WebGL on a GPU by default; the setting forces DOM (or WebGL) on every screen and is remembered
    expect(screens[0]!.renderer).toBe('auto');
    await w.find('[data-testid="terminal-renderer"]').setValue('dom');
    await flushPromises();
    expect(screens[0]!.renderer).toBe('dom');
    expect(localStorage.getItem(TERMINAL_STORAGE.renderer)).toBe('dom');
    await w.find('[data-testid="terminal-renderer"]').setValue('auto');
    await flushPromises();
    expect(screens[0]!.renderer).toBe('auto');
    expect(localStorage.getItem(TERMINAL_STORAGE.renderer)).toBeNull();
    await w.find('[data-testid="terminal-close-t1"]').trigger('click');
    await flushPromises();
    expect(callsOf(api, 'pty.kill')).toEqual([{ id: 't1', signal: 'SIGHUP' }]);
    expect(w.find('[data-testid="terminal-tab-t1"]').exists()).toBe(false);
    w.unmount();
  });

  it('offers a host shell only in host mode, and says how a session ended', async () => {
    const api = ptyApi({ 'topology.show': () => ({ name: null, nodes: [] }), 'topology.list': () => ({ applied: [], builtin: [] }) });
    const w = mountWith(TerminalsPanel);
    await flushPromises();
    expect(w.find('[data-testid="open-host"]').exists()).toBe(false);
    useHelperStore().status = { state: 'ready', mode: 'host', restarts: 0, transport: 'browser' };
    await flushPromises();
    await w.find('[data-testid="open-host"]').trigger('click');
    await flushPromises();
    expect(callsOf(api, 'pty.open')).toEqual([{ target: { kind: 'host' }, cols: 80, rows: 24 }]);
    api.emit('pty.exit', { id: 't1', code: 3, signal: null });
    await flushPromises();
    expect(w.find('[data-testid="terminal-exited"]').text()).toContain('exited with code 3');
    w.unmount();
  });
});

describe('Open terminal here (Topology node details)', () => {
  it('opens a shell in that node and switches to the Terminals panel', async () => {
    const api = ptyApi();
    const w = mountWith(NodeDetails, { node: redBlue()[0] });
    await w.find('[data-testid="open-terminal-here"]').trigger('click');
    await flushPromises();
    expect(callsOf(api, 'pty.open')).toEqual([{ target: { kind: 'node', node: 'red' }, cols: 80, rows: 24 }]);
    expect(useUiStore().panel).toBe('terminals');
    expect(useTerminalsStore().tabs.map((t) => t.title)).toEqual(['red']);
    w.unmount();
  });
});
