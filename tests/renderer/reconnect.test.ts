// Surviving a restarted `nslab serve`: the browser transport's backoff (0.5 s → 10 s, reset once connected),
// "Retry now", and the page while disconnected — the banner with its advice and countdown, every panel
// control and ActionButton disabled, useMutations refusing — until the connection is back.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../renderer/src/App.vue';
import { WebSocketBridge, RECONNECT, nextDelay } from '../../renderer/src/api/websocket';
import ActionButton from '../../renderer/src/components/ActionButton.vue';
import { connectionStatus, online, secondsToRetry } from '../../renderer/src/composables/connection';
import { useMutations } from '../../renderer/src/composables/useMutations';
import { createAppI18n } from '../../renderer/src/i18n';
import { doctorReport, fakeApi, flush } from './fake-api';
import { FakeSocket } from './fake-socket';

const lost = (retryAt?: number) => ({ state: 'lost' as const, mode: null, reason: 'the connection to nslab serve was lost', restarts: 0, transport: 'browser' as const, ...(retryAt ? { retryAt } : {}) });
const ready = { state: 'ready' as const, mode: 'host' as const, restarts: 0, transport: 'browser' as const };

beforeEach(() => {
  document.body.innerHTML = '';
  localStorage.clear();
  sessionStorage.clear();
  connectionStatus.value = null;
});
afterEach(() => {
  vi.useRealTimers();
  connectionStatus.value = null;
});

describe('the browser transport reconnecting', () => {
  it('backs off 0.5 s, 1 s, 2 s … up to 10 s, saying when the next attempt is, and starts over once connected', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const sockets: FakeSocket[] = [];
    const b = new WebSocketBridge({ url: 'ws://x', open: () => (sockets.push(new FakeSocket()), sockets.at(-1)!) });
    const status: { state: string; retryAt?: number }[] = [];
    b.subscribe('helper.status', (p) => status.push(p));
    sockets[0]!.open();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const n = sockets.length;
      sockets.at(-1)!.drop();
      await vi.advanceTimersByTimeAsync(0);
      const last = status.at(-1)!;
      expect(last.state).toBe('lost');
      delays.push(last.retryAt! - Date.now());
      await vi.advanceTimersByTimeAsync(last.retryAt! - Date.now() - 1);
      expect(sockets).toHaveLength(n); // not before it said
      await vi.advanceTimersByTimeAsync(1);
      expect(sockets).toHaveLength(n + 1);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    sockets.at(-1)!.open();
    sockets.at(-1)!.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(status.at(-1)!.retryAt! - Date.now()).toBe(RECONNECT.firstMs);
    expect(nextDelay(8000)).toBe(10_000);
  });

  it('Retry now reconnects at once (and resubscribes), without waiting for the scheduled attempt', async () => {
    vi.useFakeTimers();
    const sockets: FakeSocket[] = [];
    const b = new WebSocketBridge({ url: 'ws://x', open: () => (sockets.push(new FakeSocket()), sockets.at(-1)!) });
    b.subscribe('activity', () => undefined);
    sockets[0]!.open();
    sockets[0]!.drop();
    expect(sockets).toHaveLength(1);
    b.retryNow();
    expect(sockets).toHaveLength(2);
    sockets[1]!.open();
    expect(sockets[1]!.sent.find((m) => m.method === 'events.subscribe')?.params).toEqual({ events: ['activity'] });
    await vi.advanceTimersByTimeAsync(RECONNECT.maxMs);
    expect(sockets).toHaveLength(2); // the scheduled attempt was cancelled
  });

  it('counts down to the next attempt in whole seconds', () => {
    expect(secondsToRetry(lost(10_500), 10_000)).toBe(1);
    expect(secondsToRetry(lost(14_001), 10_000)).toBe(5);
    expect(secondsToRetry(lost(9_000), 10_000)).toBe(0);
    expect(secondsToRetry(lost(), 10_000)).toBeNull();
    expect(secondsToRetry(ready, 10_000)).toBeNull();
  });
});

describe('the page while disconnected', () => {
  it('shows the banner with advice and a countdown, disables the panels, and comes back once connected', async () => {
    const api = fakeApi({
      'helper.hello': () => ({ version: '1', pid: 1, root: true, mode: 'host', stateDir: '/s' }),
      'system.doctor': () => doctorReport(),
      'topology.show': () => ({ name: null, nodes: [] }),
      'topology.list': () => ({ applied: [], builtin: [] }),
      'pty.list': () => ({ sessions: [] }),
    });
    const reconnect = vi.fn();
    api.reconnect = reconnect;
    const pinia = createPinia();
    setActivePinia(pinia);
    const w = mount(App, { global: { plugins: [pinia, createAppI18n('en')], stubs: { TopologyGraph: true } }, attachTo: document.body });
    await flushPromises();
    api.emit('helper.status', ready);
    await flush();
    expect(w.find('[data-testid="connection-banner"]').exists()).toBe(false);
    expect(w.get('[data-testid="panels"]').attributes('disabled')).toBeUndefined();

    api.emit('helper.status', lost(Date.now() + 4000));
    await flush();
    const banner = w.get('[data-testid="connection-banner"]');
    expect(banner.text()).toContain('nslab serve stopped or cannot be reached');
    expect(banner.text()).toContain('Restart it with “nslab serve”');
    expect(w.get('[data-testid="connection-countdown"]').text()).toMatch(/Reconnecting in [34] s/);
    expect(w.get('[data-testid="panels"]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid="status-helper"]').text()).toContain('disconnected');
    await w.get('[data-testid="connection-retry"]').trigger('click');
    expect(reconnect).toHaveBeenCalledTimes(1);

    api.emit('helper.status', ready);
    await flush();
    expect(w.find('[data-testid="connection-banner"]').exists()).toBe(false);
    expect(w.get('[data-testid="panels"]').attributes('disabled')).toBeUndefined();
    w.unmount();
  });

  it('in Korean too', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const api = fakeApi({
      'helper.hello': () => ({ version: '1', pid: 1, root: true, mode: 'host', stateDir: '/s' }),
      'system.doctor': () => doctorReport(),
      'topology.show': () => ({ name: null, nodes: [] }),
      'topology.list': () => ({ applied: [], builtin: [] }),
      'pty.list': () => ({ sessions: [] }),
    });
    api.reconnect = () => undefined;
    localStorage.setItem('nslab.locale', 'ko');
    const w = mount(App, { global: { plugins: [pinia, createAppI18n('ko')], stubs: { TopologyGraph: true } }, attachTo: document.body });
    await flushPromises();
    connectionStatus.value = lost(Date.now() + 2000);
    await flush();
    expect(w.get('[data-testid="connection-banner"]').text()).toContain('nslab serve가 멈췄거나');
    expect(w.get('[data-testid="connection-retry"]').text()).toBe('지금 다시 시도');
    w.unmount();
  });

  it('an ActionButton is disabled and says why; useMutations refuses with a typed error and calls nothing', async () => {
    const w = mount(ActionButton, { props: { label: 'Create', busy: false, error: null, testid: 'make' }, global: { plugins: [createAppI18n('en')] } });
    expect(w.get('[data-testid="make"]').attributes('disabled')).toBeUndefined();
    connectionStatus.value = lost(Date.now() + 1000);
    await flush();
    expect(online.value).toBe(false);
    expect(w.get('[data-testid="make"]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid="make"]').attributes('title')).toBe('Not connected to nslab: wait for the reconnect');
    const m = useMutations<'make'>();
    const fn = vi.fn(async () => 1);
    expect(await m.run('make', fn)).toBeUndefined();
    expect(fn).not.toHaveBeenCalled();
    expect(m.errors.make).toMatchObject({ code: 'busy' });
    connectionStatus.value = ready;
    await flush();
    expect(w.get('[data-testid="make"]').attributes('disabled')).toBeUndefined();
    expect(await m.run('make', fn)).toBe(1);
  });
});
