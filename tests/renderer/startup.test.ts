// Start-up order: the first panel's data is asked for before the app loads and taken once; work the first
// view does not need waits for it; the journal is not reloaded on the relay's first "ready".
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useActivityStore } from '../../renderer/src/stores/activity';
import { useHelperStore } from '../../renderer/src/stores/helper';
import { useTopologyStore } from '../../renderer/src/stores/topology';
import { FIRST_VIEW_FALLBACK_MS, afterFirstView, firstViewDrawn, resetFirstView } from '../../renderer/src/startup/firstView';
import { prefetchFirstView, takePrefetched } from '../../renderer/src/startup/prefetch';
import { doctorReport, fakeApi, flush, node } from './fake-api';

const status = (state: 'starting' | 'ready' | 'lost', restarts = 0) => ({ state, mode: 'host' as const, restarts, transport: 'browser' as const });

beforeEach(() => {
  localStorage.clear();
  setActivePinia(createPinia());
  resetFirstView();
});
afterEach(() => {
  vi.useRealTimers();
  resetFirstView();
});

describe('the first view', () => {
  it('holds deferred work until the panel says it is drawn, or until the fallback timer', () => {
    vi.useFakeTimers();
    const ran: string[] = [];
    afterFirstView(() => ran.push('a'));
    afterFirstView(() => ran.push('b'));
    expect(ran).toEqual([]);
    firstViewDrawn();
    expect(ran).toEqual(['a', 'b']);
    afterFirstView(() => ran.push('c')); // already drawn: at once
    expect(ran).toEqual(['a', 'b', 'c']);
    resetFirstView();
    afterFirstView(() => ran.push('late'));
    vi.advanceTimersByTime(FIRST_VIEW_FALLBACK_MS - 1);
    expect(ran).not.toContain('late');
    vi.advanceTimersByTime(1);
    expect(ran).toContain('late');
  });

  it('asks for who the helper is at once and for the doctor report only after the first view', async () => {
    const api = fakeApi({ 'helper.hello': () => ({ version: '1', pid: 1, root: true, mode: 'host', stateDir: '/s' }), 'system.doctor': () => doctorReport() });
    const helper = useHelperStore();
    const started = helper.start();
    await flush();
    expect(api.calls.map((c) => c.method)).toEqual(['helper.hello']);
    firstViewDrawn();
    await started;
    expect(api.calls.map((c) => c.method)).toEqual(['helper.hello', 'system.doctor']);
    expect(helper.doctor?.kernel).toBe('6.18.0');
  });

  it('loads the journal after the first view, and again only when a ready follows a loss or a restart', async () => {
    const api = fakeApi({ 'activity.list': () => ({ entries: [], session: 'S' }) });
    const log = useActivityStore();
    const started = log.start();
    api.emit('helper.status', status('starting'));
    api.emit('helper.status', status('ready'));
    await flush();
    const lists = () => api.calls.filter((c) => c.method === 'activity.list').length;
    expect(lists()).toBe(0);
    firstViewDrawn();
    await started;
    expect(lists()).toBe(1);
    api.emit('helper.status', status('ready')); // the relay saying it again: no news
    await flush();
    expect(lists()).toBe(1);
    api.emit('helper.status', status('lost'));
    api.emit('helper.status', status('starting'));
    api.emit('helper.status', status('ready'));
    await flush();
    expect(lists()).toBe(2);
    api.emit('helper.status', status('ready', 1)); // restarted in the meantime
    await flush();
    expect(lists()).toBe(3);
  });
});

describe('the early topology snapshot', () => {
  it('is asked for before the app loads and taken once by the store; later refreshes ask again', async () => {
    let nodes = [node('red')];
    const api = fakeApi({ 'topology.show': () => ({ name: null, nodes }), 'topology.list': () => ({ applied: [], builtin: [] }) });
    prefetchFirstView();
    expect(api.calls.map((c) => c.method)).toEqual(['topology.show', 'topology.list']);
    expect(api.listeners('topology.changed')).toBe(1);
    const topo = useTopologyStore();
    await topo.start();
    expect(topo.nodes.map((n) => n.name)).toEqual(['red']);
    expect(api.calls.filter((c) => c.method === 'topology.show')).toHaveLength(1); // the early one
    expect(api.listeners('topology.changed')).toBe(1); // the store's; the early listener is gone
    nodes = [node('red'), node('blue')];
    api.emit('topology.changed', {});
    await flush();
    expect(topo.nodes.map((n) => n.name)).toEqual(['red', 'blue']);
    expect(api.calls.filter((c) => c.method === 'topology.show')).toHaveLength(2);
  });

  it('is dropped when the topology changes before the store takes it', async () => {
    const api = fakeApi({ 'topology.show': () => ({ name: null, nodes: [] }), 'topology.list': () => ({ applied: [], builtin: [] }) });
    prefetchFirstView();
    api.emit('topology.changed', {});
    expect(takePrefetched('topology.show')).toBeUndefined();
    expect(api.listeners('topology.changed')).toBe(0);
  });

  it('is not asked for when another panel opens first', () => {
    localStorage.setItem('nslab.panel', 'terminals');
    const api = fakeApi({});
    prefetchFirstView();
    expect(api.calls).toEqual([]);
    expect(takePrefetched('topology.show')).toBeUndefined();
  });
});
