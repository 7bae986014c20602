// The Running shells list: every live session of the helper with where, what, since when and who is
// attached (or when its grace runs out), Attach for the others, Show for this tab's, and the grace setting.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PtyInfo } from '../../electron/shared/contract/index';
import { createAppI18n } from '../../renderer/src/i18n';
import RunningShells from '../../renderer/src/panels/Terminals/RunningShells.vue';
import { useTerminalsStore } from '../../renderer/src/stores/terminals';
import { fakeApi } from './fake-api';

vi.mock('../../renderer/src/terminal/screen', () => ({
  createScreen: () => ({
    write: () => undefined,
    reset: () => undefined,
    onInput: () => undefined,
    onResize: () => undefined,
    setFontSize: () => undefined,
    setTheme: () => undefined,
    fit: () => undefined,
    dispose: () => undefined,
  }),
}));

const info = (id: string, extra: Partial<PtyInfo> = {}): PtyInfo => ({
  id,
  pid: 4000 + Number(id.slice(1)),
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

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  setActivePinia(createPinia());
});

describe('Running shells', () => {
  it('lists every live shell, attaches one from another window, and changes the grace for all', async () => {
    let grace = 600_000;
    const api = fakeApi({
      'pty.list': () => ({
        sessions: [
          info('t1', { clients: 1 }),
          info('t2', { endsAt: '2026-12-01T10:10:00.000Z', target: { kind: 'host' }, title: 'host', command: '/bin/bash -l' }),
          info('t3', { exited: { code: 0, signal: null } }),
        ],
      }),
      'pty.attach': (p) => ({ ...info((p as { id: string }).id, { clients: 1 }), replayChars: 0 }),
      'pty.config': (p) => {
        const g = (p as { graceMs?: number }).graceMs;
        if (g !== undefined) grace = g;
        return { graceMs: grace, scrollbackChars: 262_144 };
      },
    });
    const pinia = createPinia();
    setActivePinia(pinia);
    const store = useTerminalsStore();
    await store.start();
    const w = mount(RunningShells, { global: { plugins: [pinia, createAppI18n('en')] } });
    await flushPromises();
    expect(w.find('[data-testid="terminal-shell-t3"]').exists()).toBe(false); // ended: not running
    expect(w.get('[data-testid="terminal-shell-t1"]').text()).toContain('ip netns exec nslab-red /bin/bash');
    expect(w.get('[data-testid="terminal-shell-clients-t1"]').text()).toBe('another window');
    expect(w.get('[data-testid="terminal-shell-clients-t2"]').text()).toMatch(/^nobody — ends /);
    expect(w.text()).toContain('up to 256 KiB');
    const select = w.get('[data-testid="terminal-grace"]');
    expect((select.element as HTMLSelectElement).selectedOptions[0]!.text).toBe('10 minutes');

    await w.get('[data-testid="terminal-attach-t2"]').trigger('click');
    await flushPromises();
    expect(api.calls.filter((c) => c.method === 'pty.attach').map((c) => c.params)).toEqual([{ id: 't2' }]);
    expect(store.tabs.map((t) => t.id)).toEqual(['t2']);
    expect(w.get('[data-testid="terminal-shell-clients-t2"]').text()).toBe('this tab');
    expect(w.find('[data-testid="terminal-show-t2"]').exists()).toBe(true);

    await select.setValue('3600000');
    await flushPromises();
    expect(api.calls.filter((c) => c.method === 'pty.config').at(-1)?.params).toEqual({ graceMs: 3_600_000 });
    expect(store.graceMs).toBe(3_600_000);
    expect((w.get('[data-testid="terminal-grace"]').element as HTMLSelectElement).selectedOptions[0]!.text).toBe('1 hour');
    w.unmount();
  });

  it('names a grace that is not one of its choices, in Korean too', async () => {
    fakeApi({ 'pty.list': () => ({ sessions: [] }), 'pty.config': () => ({ graceMs: 90 * 60_000, scrollbackChars: 262_144 }) });
    const pinia = createPinia();
    setActivePinia(pinia);
    await useTerminalsStore().start();
    const w = mount(RunningShells, { global: { plugins: [pinia, createAppI18n('ko')] } });
    await flushPromises();
    expect(w.get('[data-testid="terminal-shells-none"]').text()).toBe('실행 중인 셸이 없습니다.');
    expect((w.get('[data-testid="terminal-grace"]').element as HTMLSelectElement).selectedOptions[0]!.text).toBe('90분');
    w.unmount();
  });
});
