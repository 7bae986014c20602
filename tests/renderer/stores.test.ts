import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActivityEvent } from '../../electron/shared/contract/index';
import { toShellScript, useActivityStore } from '../../renderer/src/stores/activity';
import { useHelperStore } from '../../renderer/src/stores/helper';
import { useTopologyStore } from '../../renderer/src/stores/topology';
import { STORAGE, useUiStore } from '../../renderer/src/stores/ui';
import { doctorReport, fakeApi, flush, node, redBlue } from './fake-api';

const act = (shell: string[], ok = true): ActivityEvent => ({ at: '2026-01-01T00:00:00Z', argv: ['ip'], shell, ok, ms: 2 });

beforeEach(() => {
  localStorage.clear();
  setActivePinia(createPinia());
});

describe('useTopologyStore', () => {
  it('loads a snapshot, then refreshes on topology.changed (never on its own)', async () => {
    let nodes = [node('red')];
    const api = fakeApi({ 'topology.show': () => ({ name: null, nodes }), 'topology.list': () => ({ applied: [], builtin: [] }) });
    const topo = useTopologyStore();
    await topo.start();
    expect(topo.nodes.map((n) => n.name)).toEqual(['red']);
    expect(api.listeners('topology.changed')).toBe(1);
    nodes = redBlue();
    api.emit('topology.changed', { reason: 'net.netns.create', topology: null });
    await flush();
    await flush();
    expect(topo.nodes.map((n) => n.name)).toEqual(['red', 'blue']);
    expect(api.calls.filter((c) => c.method === 'topology.show')).toHaveLength(2);
  });

  it('coalesces a burst of changes into one more refresh', async () => {
    const api = fakeApi({ 'topology.show': () => ({ name: null, nodes: [] }), 'topology.list': () => ({ applied: [], builtin: [] }) });
    const topo = useTopologyStore();
    const first = topo.refresh();
    for (let i = 0; i < 5; i++) void topo.refresh();
    await first;
    await flush();
    expect(api.calls.filter((c) => c.method === 'topology.show')).toHaveLength(2);
  });

  it('keeps a typed error and drops a selection that disappeared', async () => {
    let fail = false;
    let nodes = redBlue();
    fakeApi({
      'topology.show': () => {
        if (fail) throw Object.assign(new Error('x'), {});
        return { name: null, nodes };
      },
      'topology.list': () => ({ applied: [], builtin: [] }),
    });
    const topo = useTopologyStore();
    await topo.refresh();
    topo.select('blue');
    expect(topo.selectedNode?.name).toBe('blue');
    nodes = [node('red')];
    await topo.refresh();
    expect(topo.selected).toBeNull();
    fail = true;
    await topo.refresh();
    expect(topo.error?.code).toBe('internal');
    expect(topo.nodes).toHaveLength(1);
  });
});

describe('useActivityStore', () => {
  it('records activity events in order', () => {
    const api = fakeApi();
    const log = useActivityStore();
    log.start();
    api.emit('activity', act(['ip netns add nslab-red']));
    api.emit('activity', act(['ip netns add nslab-blue']));
    expect(log.entries.map((e) => e.shell[0])).toEqual(['ip netns add nslab-red', 'ip netns add nslab-blue']);
    expect(new Set(log.entries.map((e) => e.id)).size).toBe(2);
  });

  it('exports a runnable script of the successful commands only', () => {
    const text = toShellScript([act(['ip netns add nslab-red']), act(['ip netns add nslab-red'], false), act(['ip -n nslab-red link set lo up', 'ip -n nslab-red addr add 10.0.0.1/24 dev veth-red'])], 'header');
    expect(text.startsWith('#!/bin/sh\n# header\nset -e\n\nip netns add nslab-red\nip -n nslab-red link set lo up\nip -n nslab-red addr add 10.0.0.1/24 dev veth-red\n')).toBe(true);
    // …and hands what it built to nslab, so nslab owns it after the script runs on a clean kernel.
    expect(text).toMatch(/\nif command -v nslab >\/dev\/null 2>&1; then nslab adopt nslab-red; else echo .* >&2; fi\n$/);
  });

  it('adopts only what the session left behind', () => {
    const text = toShellScript([act(['ip netns add nslab-red', 'ip netns add nslab-blue']), act(['ip netns del nslab-red']), act(['ip link add nslab-br0 type bridge'])], 'h');
    expect(text).toContain('nslab adopt nslab-blue nslab-br0;');
    expect(toShellScript([act(['ip netns add nslab-x']), act(['ip netns del nslab-x'])], 'h')).not.toContain('adopt');
  });
});

describe('useHelperStore', () => {
  it('reads hello and doctor, follows helper.status, and reloads after a restart', async () => {
    const api = fakeApi({
      'helper.hello': () => ({ version: '1', pid: 1, root: false, mode: 'sandbox', stateDir: '/s' }),
      'system.doctor': () => doctorReport({ kernel: '6.1.0', mode: 'sandbox', root: false }),
    });
    const h = useHelperStore();
    await h.start();
    expect(h.mode).toBe('sandbox');
    expect(h.doctor?.kernel).toBe('6.1.0');
    api.emit('helper.status', { state: 'restarting', mode: 'sandbox', restarts: 1, transport: 'electron' });
    expect(h.healthy).toBe(false);
    api.emit('helper.status', { state: 'ready', mode: 'host', restarts: 1, transport: 'electron' });
    await flush();
    expect(h.mode).toBe('host');
    expect(api.calls.filter((c) => c.method === 'helper.hello')).toHaveLength(2);
  });

  it('shows why the helper is unreachable', async () => {
    fakeApi({});
    const h = useHelperStore();
    await h.start();
    expect(h.error?.code).toBe('unknown-method');
  });
});

describe('useUiStore', () => {
  it('remembers language, theme and panel in localStorage', async () => {
    const ui = useUiStore();
    expect(ui.locale).toBe('en');
    ui.setLocale('ko');
    ui.setTheme('dark');
    ui.open('activity');
    await flush();
    expect(localStorage.getItem(STORAGE.locale)).toBe('ko');
    expect(localStorage.getItem(STORAGE.theme)).toBe('dark');
    setActivePinia(createPinia());
    const again = useUiStore();
    expect([again.locale, again.theme, again.panel, again.effectiveTheme]).toEqual(['ko', 'dark', 'activity', 'dark']);
    again.toggleTheme();
    expect(again.effectiveTheme).toBe('light');
  });

  it('ignores junk in storage', () => {
    localStorage.setItem(STORAGE.locale, 'xx');
    localStorage.setItem(STORAGE.panel, 'nope');
    const ui = useUiStore();
    expect([ui.locale, ui.panel, ui.theme]).toEqual(['en', 'topology', 'system']);
  });
});
