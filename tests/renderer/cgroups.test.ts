// The Cgroups store and panel against a scripted api: the tree, the limit editor, the sampler-driven series
// (history on open, live samples appended, unsubscribed on leaving) and "Open a terminal in this group".
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CgroupDetail, CgroupInfo, SeriesSample } from '../../electron/shared/contract/index';
import { NslabError } from '../../electron/shared/errors';
import { createAppI18n } from '../../renderer/src/i18n';
import CgroupsPanel from '../../renderer/src/panels/Cgroups/CgroupsPanel.vue';
import { HISTORY_POINTS, OVERVIEW_POINTS, appendSample, emptySeries, seriesFromHistory, useCgroupsStore } from '../../renderer/src/stores/cgroups';
import { useTerminalsStore } from '../../renderer/src/stores/terminals';
import { useUiStore } from '../../renderer/src/stores/ui';
import { fakeApi, flush, type FakeApi } from './fake-api';

// xterm.js is not needed here: the terminal a group's button opens gets a screen that does nothing.
vi.mock('../../renderer/src/terminal/screen', async () => {
  const { fakeScreen } = await import('./fake-screen');
  return { createScreen: (opts: { cols: number; rows: number }) => fakeScreen(opts) };
});


const ChartStub = { name: 'LiveChart', props: ['title', 't', 'series', 'tick', 'format', 'testid', 'emptyText'], template: '<div :data-testid="testid" :data-points="t.length" :data-last="series[0].values[series[0].values.length - 1]"></div>' };

const stats = (usage: number, cpuNs: number, throttled = 0): CgroupDetail['stats'] => ({
  memory: { usage, limit: 64 * 2 ** 20, maxUsage: null, failcnt: 0, oomEvents: null, underOom: false, oomKills: 0 },
  cpu: { usageNs: cpuNs, userNs: null, systemNs: null, nrPeriods: 0, nrThrottled: throttled, throttledNs: 0 },
  pids: { current: 1, max: 'max' },
  pressure: { cpu: null, memory: null, io: null },
});
const group = (name: string, procs: number[] = []): CgroupInfo => ({ name, path: `nslab/${name}`, version: 'hybrid', dirs: [`/sys/fs/cgroup/memory/nslab/${name}`], procs, limits: { memory: 64 * 2 ** 20 }, recorded: true, owner: 'manual' });
const layout = { layout: 'hybrid', backend: 'hybrid', hierarchies: [], writable: true } as const;

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => useCgroupsStore().stop());

const MiB = 2 ** 20;
/** A live sample of a cgroup series as the sampler sends it. */
const live = (name: string, tMs: number, memory: number, extra: Partial<Record<string, number | null>> = {}, rates: Partial<Record<string, number | null>> = {}): SeriesSample => ({
  series: `cgroup:nslab/${name}`,
  t: tMs,
  values: { cpuNs: 0, memory, memoryLimit: 64 * MiB, nrThrottled: 0, throttledNs: 0, pids: 1, pidsMax: null, oomKills: 0, ...extra },
  rates: { cpuPercent: 0, throttledPercent: 0, throttlesPerSecond: 0, ...rates },
});
const sampleEvent = (...samples: SeriesSample[]) => ({ t: samples[0]?.t ?? 0, interval: 1000, samples, removed: [] as string[] });
/** metrics.history of a group: `n` points a second apart, memory growing 1 MiB each, half a CPU busy, 2 throttles a second. */
const history = (name: string, n: number, t0 = 1_000_000) => ({
  series: `cgroup:nslab/${name}`,
  interval: 1000,
  t: Array.from({ length: n }, (_, i) => t0 + i * 1000),
  values: {
    cpuNs: Array.from({ length: n }, (_, i) => i * 500_000_000),
    memory: Array.from({ length: n }, (_, i) => (i + 1) * MiB),
    memoryLimit: Array.from({ length: n }, () => 64 * MiB),
    nrThrottled: Array.from({ length: n }, (_, i) => i * 2),
    oomKills: Array.from({ length: n }, (_, i) => (i >= n - 1 ? 1 : 0)),
    pids: Array.from({ length: n }, () => 1),
  },
  // The sampler's rates, kept beside the counters (none for the first point: nothing before it).
  rates: {
    cpuPercent: Array.from({ length: n }, (_, i) => (i === 0 ? null : 50)),
    throttledPercent: Array.from({ length: n }, () => null),
    throttlesPerSecond: Array.from({ length: n }, (_, i) => (i === 0 ? null : 2)),
  },
});

describe('series from the sampler', () => {
  it('turns a columnar history into CPU %, memory vs limit, throttles per second and OOM kills', () => {
    const s = seriesFromHistory(history('web', 3));
    expect(s.t).toEqual([1000, 1001, 1002]);
    expect(s.cpuPct).toEqual([null, 50, 50]);
    expect(s.memory).toEqual([MiB, 2 * MiB, 3 * MiB]);
    expect(s.memoryLimit).toEqual([64 * MiB, 64 * MiB, 64 * MiB]);
    expect(s.throttled).toEqual([null, 2, 2]);
    expect(s.oom).toEqual([0, 0, 1]);
  });

  it('keeps the newest points of a long history, each with its rate', () => {
    const s = seriesFromHistory(history('web', 10), 4);
    expect(s.t).toEqual([1006, 1007, 1008, 1009]);
    expect(s.cpuPct).toEqual([50, 50, 50, 50]);
  });

  it('appends live samples with the sampler’s rates, skips ones it already has, caps the length', () => {
    const s = seriesFromHistory(history('web', 2));
    appendSample(s, live('web', 1_001_000, 99)); // same time as the last history point: a duplicate
    expect(s.t).toHaveLength(2);
    appendSample(s, live('web', 1_002_000, 5 * MiB, { memoryLimit: null }, { cpuPercent: 12.5, throttlesPerSecond: 3 }), 2);
    expect(s.t).toEqual([1001, 1002]);
    expect(s.memory).toEqual([2 * MiB, 5 * MiB]);
    expect(s.memoryLimit).toEqual([64 * MiB, null]);
    expect(s.cpuPct).toEqual([50, 12.5]);
    expect(s.throttled).toEqual([2, 3]);
    expect(emptySeries().t).toEqual([]);
  });
});

describe('cgroups store on the sampler', () => {
  function sampler(extra: Parameters<typeof fakeApi>[0] = {}): FakeApi {
    return fakeApi({
      'cgroup.layout': () => layout,
      'cgroup.list': () => ({ groups: [group('web'), group('db')] }),
      'cgroup.show': (p) => ({ ...group((p as { name: string }).name), stats: stats(1, 0) }),
      'metrics.subscribe': (p) => ({ series: (p as { series: string[] }).series, interval: 1000 }),
      'metrics.unsubscribe': () => ({ series: [] }),
      'metrics.history': (p) => history((p as { series: string }).series.slice('cgroup:nslab/'.length), 5),
      ...extra,
    });
  }
  const methods = (api: FakeApi) => api.calls.map((c) => c.method);

  it('loads the 15-minute history of the group it opens, subscribes to its series, and never polls cgroup.show', async () => {
    vi.useFakeTimers();
    try {
      const api = sampler();
      const cg = useCgroupsStore();
      await cg.start();
      cg.select('web');
      await vi.advanceTimersByTimeAsync(10);
      expect(api.calls.filter((c) => c.method === 'metrics.subscribe').at(-1)?.params).toEqual({ series: ['cgroup:nslab/web'] });
      expect(api.calls.find((c) => c.method === 'metrics.history')?.params).toEqual({ series: 'cgroup:nslab/web' });
      expect(cg.series.t).toHaveLength(5);
      expect(cg.series.memory.at(-1)).toBe(5 * MiB);
      const shows = methods(api).filter((m) => m === 'cgroup.show').length;
      await vi.advanceTimersByTimeAsync(10_000);
      expect(methods(api).filter((m) => m === 'cgroup.show').length).toBe(shows);
    } finally {
      vi.useRealTimers();
    }
  });

  it('appends each metrics.sample of its series (others ignored) and redraws on a tick', async () => {
    const api = sampler();
    const cg = useCgroupsStore();
    await cg.start();
    cg.select('web');
    await flushPromises();
    const tick = cg.tick;
    api.emit('metrics.sample', sampleEvent(live('web', 1_010_000, 40 * MiB), live('db', 1_010_000, 7)));
    expect(cg.series.t).toHaveLength(6);
    expect(cg.series.memory.at(-1)).toBe(40 * MiB);
    expect(cg.tick).toBe(tick + 1);
    api.emit('metrics.sample', sampleEvent(live('db', 1_011_000, 8)));
    expect(cg.series.t).toHaveLength(6);
  });

  it('keeps live samples that arrive while the history loads, after it, without duplicates', async () => {
    let answer: (v: unknown) => void = () => undefined;
    const api = sampler({ 'metrics.history': () => new Promise((r) => (answer = r)) });
    const cg = useCgroupsStore();
    await cg.start();
    cg.select('web');
    await flushPromises();
    expect(cg.historyLoading).toBe(true);
    api.emit('metrics.sample', sampleEvent(live('web', 1_004_000, 5 * MiB))); // also the history's last point
    api.emit('metrics.sample', sampleEvent(live('web', 1_005_000, 9 * MiB)));
    expect(cg.series.t).toHaveLength(0);
    answer(history('web', 5));
    await flushPromises();
    expect(cg.historyLoading).toBe(false);
    expect(cg.series.t).toEqual([1000, 1001, 1002, 1003, 1004, 1005]);
    expect(cg.series.memory.at(-1)).toBe(9 * MiB);
  });

  it('starts an empty series for a group the sampler has not seen yet, and fills it from live samples', async () => {
    const api = sampler({
      'metrics.history': () => {
        throw new NslabError('not-found', 'no series cgroup:nslab/web (see metrics.series)');
      },
    });
    const cg = useCgroupsStore();
    await cg.start();
    cg.select('web');
    await flushPromises();
    expect(cg.seriesError).toBeNull();
    expect(cg.series.t).toEqual([]);
    api.emit('metrics.sample', sampleEvent(live('web', 1_000_000, MiB)));
    expect(cg.series.memory).toEqual([MiB]);
  });

  it('shows a sampler refusal as the series error', async () => {
    sampler({
      'metrics.subscribe': () => {
        throw new NslabError('permission-denied', 'not for you');
      },
    });
    const cg = useCgroupsStore();
    await cg.start();
    cg.select('web');
    await flushPromises();
    expect(cg.seriesError?.code).toBe('permission-denied');
  });

  it('unsubscribes when another group is selected and when the panel closes; stops listening', async () => {
    const api = sampler();
    const cg = useCgroupsStore();
    await cg.start();
    cg.select('web');
    await flushPromises();
    const unsubs = () => api.calls.filter((c) => c.method === 'metrics.unsubscribe').map((c) => c.params);
    expect(unsubs()).toEqual([{ series: ['cgroup:nslab/db'] }]); // the overview let go of the others
    cg.select('db');
    await flushPromises();
    expect(unsubs()).toEqual([{ series: ['cgroup:nslab/db'] }, { series: ['cgroup:nslab/web'] }]);
    expect(cg.series.memory.at(-1)).toBe(5 * MiB);
    api.emit('metrics.sample', sampleEvent(live('web', 1_010_000, 33)));
    expect(cg.series.memory).not.toContain(33);
    cg.stop();
    await flushPromises();
    expect(unsubs()).toEqual([{ series: ['cgroup:nslab/db'] }, { series: ['cgroup:nslab/web'] }, { series: ['cgroup:nslab/db'] }]);
    expect(api.listeners('metrics.sample')).toBe(0);
    // Opened again: the history once more, and a new subscription.
    const histories = methods(api).filter((m) => m === 'metrics.history').length;
    const shows = methods(api).filter((m) => m === 'cgroup.show').length;
    await cg.start();
    await flushPromises();
    expect(methods(api).filter((m) => m === 'metrics.history').length).toBe(histories + 1);
    // …and the group's processes as they are now (they may have changed while the panel was closed).
    expect(methods(api).filter((m) => m === 'cgroup.show').length).toBe(shows + 1);
    expect(api.listeners('metrics.sample')).toBe(1);
  });

  it('re-reads the group (processes) only when the sampler reports its pids changed', async () => {
    const api = sampler();
    const cg = useCgroupsStore();
    await cg.start();
    cg.select('web');
    await flushPromises();
    const shows = () => methods(api).filter((m) => m === 'cgroup.show').length;
    const before = shows();
    // The history's last point had 1 process: the same count live changes nothing.
    api.emit('metrics.sample', sampleEvent(live('web', 1_010_000, MiB, { pids: 1 })));
    api.emit('metrics.sample', sampleEvent(live('web', 1_011_000, MiB, { pids: 1 })));
    expect(shows()).toBe(before);
    api.emit('metrics.sample', sampleEvent(live('web', 1_012_000, MiB, { pids: 3 })));
    await flushPromises();
    expect(shows()).toBe(before + 1);
  });

  it('with nothing selected, follows every group for the overview; a selected group stays subscribed; closing unsubscribes all', async () => {
    const api = sampler();
    const cg = useCgroupsStore();
    await cg.start();
    await flushPromises();
    expect(api.calls.filter((c) => c.method === 'metrics.subscribe').map((c) => c.params)).toEqual([{ series: ['cgroup:nslab/web', 'cgroup:nslab/db'] }]);
    expect(methods(api)).not.toContain('metrics.history');
    const tick = cg.overviewTick;
    api.emit('metrics.sample', sampleEvent(live('web', 1_000_000, 3 * MiB), live('db', 1_000_000, 4 * MiB)));
    expect(cg.overviewTick).toBe(tick + 1);
    expect(cg.overview.get('cgroup:nslab/web')?.memory).toEqual([3 * MiB]);
    expect(cg.overview.get('cgroup:nslab/db')?.memory).toEqual([4 * MiB]);
    for (let i = 1; i <= 130; i++) api.emit('metrics.sample', sampleEvent(live('web', 1_000_000 + i * 1000, i)));
    expect(cg.overview.get('cgroup:nslab/web')?.t).toHaveLength(OVERVIEW_POINTS);

    cg.select('web');
    await flushPromises();
    // db is released; web is not (the group view has it now).
    expect(api.calls.filter((c) => c.method === 'metrics.unsubscribe').map((c) => c.params)).toEqual([{ series: ['cgroup:nslab/db'] }]);
    expect(cg.overview.size).toBe(0);
    cg.stop();
    await flushPromises();
    expect(api.calls.filter((c) => c.method === 'metrics.unsubscribe').map((c) => c.params).at(-1)).toEqual({ series: ['cgroup:nslab/web'] });
    expect(api.listeners('metrics.sample')).toBe(0);
  });

  it('caps the series at 15 minutes of 1 Hz points', () => {
    expect(HISTORY_POINTS).toBe(900);
    expect(seriesFromHistory(history('web', 1000)).t).toHaveLength(900);
  });
});

const metricsFakes = {
  'metrics.subscribe': (p: unknown) => ({ series: (p as { series: string[] }).series, interval: 1000 }),
  'metrics.unsubscribe': () => ({ series: [] }),
  'metrics.history': (p: unknown) => history((p as { series: string }).series.slice('cgroup:nslab/'.length), 3),
};

describe('CgroupsPanel', () => {
  function mountPanel() {
    return mount(CgroupsPanel, { global: { plugins: [createPinia(), createAppI18n('en')], stubs: { LiveChart: ChartStub, SparkLine: true } } });
  }

  it('creates a group with a Docker-style memory limit and shows which files that limit writes', async () => {
    const groups: CgroupInfo[] = [];
    let usage = 1000;
    const api = fakeApi({
      'cgroup.layout': () => layout,
      'cgroup.list': () => ({ groups }),
      'cgroup.create': (p) => {
        const g = group((p as { name: string }).name);
        groups.push(g);
        return { ...g, writes: [{ file: '/sys/fs/cgroup/memory/nslab/web/memory.limit_in_bytes', value: '67108864' }] };
      },
      'cgroup.show': (p) => ({ ...group((p as { name: string }).name, [42]), stats: stats((usage += 4096), 0) }),
      ...metricsFakes,
    });
    const w = mountPanel();
    setActivePinia(w.vm.$pinia);
    await flushPromises();
    expect(w.get('[data-testid="cgroups-empty"]').text()).toContain('No nslab cgroups yet');
    expect(w.text()).toContain('memory.limit_in_bytes ⇄ memory.max');

    await w.get('[data-testid="cgroup-memory"]').setValue('5m');
    expect(w.get('[data-testid="cgroup-memory-error"]').text()).toContain('6m');
    await w.get('[data-testid="cgroup-name"]').setValue('web');
    await w.get('[data-testid="cgroup-memory"]').setValue('64m');
    await w.get('[data-testid="form-cgroup"]').trigger('submit');
    await flushPromises();
    expect(api.calls.find((c) => c.method === 'cgroup.create')?.params).toEqual({ name: 'web', limits: { memory: '64m' } });
    expect(w.get('[data-testid="cgroup-item-web"]').attributes('aria-pressed')).toBe('true');
    const row = w.get('[data-testid="limit-memory"]');
    expect(row.text()).toContain('--memory');
    expect(row.get('[data-testid="limit-now"]').text()).toBe('64 MiB'); // the same words as `nslab cgroup show` and the labs' messages
    expect(row.get('[data-testid="limit-v1"]').text()).toBe('memory.limit_in_bytes');
    expect(row.get('[data-testid="limit-v1"]').classes()).toContain('active');
    expect(row.get('[data-testid="limit-v2"]').text()).toBe('memory.max');
    expect(w.get('[data-testid="cgroup-procs"]').text()).toContain('42');
    expect(Number(w.get('[data-testid="chart-memory"]').attributes('data-points'))).toBeGreaterThan(0);
  });

  it('shows the helper error next to the limit it refused, and a read-only banner when cgroups are not writable', async () => {
    fakeApi({
      'cgroup.layout': () => ({ ...layout, writable: false, reason: 'sandbox mode' }),
      'cgroup.list': () => ({ groups: [group('web')] }),
      'cgroup.show': () => ({ ...group('web'), stats: stats(1, 0) }),
      ...metricsFakes,
      'cgroup.set': () => {
        throw new NslabError('permission-denied', 'cgroup writes need host mode');
      },
    });
    const w = mountPanel();
    setActivePinia(w.vm.$pinia);
    await flushPromises();
    expect(w.get('[data-testid="cgroups-readonly"]').text()).toContain('sandbox mode');
    await w.get('[data-testid="cgroup-item-web"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="limit-input-memory"]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid="cgroup-create"]').attributes('disabled')).toBeDefined();
  });

  it('sets a limit and reports the files written', async () => {
    const api = fakeApi({
      'cgroup.layout': () => ({ ...layout, backend: 'v2', layout: 'v2' }),
      'cgroup.list': () => ({ groups: [group('web')] }),
      'cgroup.show': () => ({ ...group('web'), stats: stats(1, 0) }),
      ...metricsFakes,
      'cgroup.set': () => ({ ...group('web'), writes: [{ file: '/sys/fs/cgroup/nslab/web/memory.max', value: '134217728' }] }),
    });
    const w = mountPanel();
    setActivePinia(w.vm.$pinia);
    await flushPromises();
    await w.get('[data-testid="cgroup-item-web"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="limit-memory"] [data-testid="limit-v2"]').classes()).toContain('active');
    await w.get('[data-testid="limit-input-memory"]').setValue('128m');
    await w.get('[data-testid="limit-set-memory"]').element.closest('form')!.dispatchEvent(new Event('submit'));
    await flushPromises();
    await flush();
    expect(api.calls.find((c) => c.method === 'cgroup.set')?.params).toEqual({ name: 'web', limits: { memory: '128m' } });
    expect(w.get('[data-testid="limit-memory"]').text()).toContain('memory.max ← 134217728');
  });
  it('draws the sampler’s history, then live samples; leaving the panel unsubscribes', async () => {
    const api = fakeApi({
      'cgroup.layout': () => layout,
      'cgroup.list': () => ({ groups: [group('web', [42])] }),
      'cgroup.show': () => ({ ...group('web', [42]), stats: stats(1, 0) }),
      ...metricsFakes,
    });
    const w = mountPanel();
    setActivePinia(w.vm.$pinia);
    await flushPromises();
    await w.get('[data-testid="cgroup-item-web"]').trigger('click');
    await flushPromises();
    const chart = () => w.get('[data-testid="chart-memory"]');
    expect(chart().attributes('data-points')).toBe('3');
    expect(Number(chart().attributes('data-last'))).toBe(3 * MiB);
    api.emit('metrics.sample', sampleEvent(live('web', 1_003_000, 41 * MiB)));
    await flushPromises();
    expect(chart().attributes('data-points')).toBe('4');
    expect(Number(chart().attributes('data-last'))).toBe(41 * MiB);
    w.unmount();
    await flushPromises();
    expect(api.calls.filter((c) => c.method === 'metrics.unsubscribe').map((c) => c.params)).toEqual([{ series: ['cgroup:nslab/web'] }]);
    expect(api.listeners('metrics.sample')).toBe(0);
  });

  it('opens a terminal that starts inside the selected group, on the host or in a node, and shows a refusal next to the button', async () => {
    let refuse = false;
    const api = fakeApi({
      'cgroup.layout': () => layout,
      'cgroup.list': () => ({ groups: [group('web')] }),
      'cgroup.show': () => ({ ...group('web'), stats: stats(1, 0) }),
      ...metricsFakes,
      'pty.list': () => ({ sessions: [] }),
      'pty.open': (p) => {
        if (refuse) throw new NslabError('permission-denied', 'a terminal in a cgroup needs the host helper (root)');
        const { target, cols, rows } = p as { target: { kind: 'host' }; cols: number; rows: number };
        return { id: 't7', pid: 700, target, title: 'host · nslab/web', cols, rows, detached: false, exited: null, command: 'sh', startedAt: '2026-12-01T10:00:00.000Z', clients: 1, endsAt: null };
      },
    });
    const w = mountPanel();
    setActivePinia(w.vm.$pinia);
    await flushPromises();
    await w.get('[data-testid="cgroup-item-web"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="cgroup-run"]').text()).toContain('stress-ng --vm 1');
    await w.get('[data-testid="cgroup-open-terminal"]').trigger('click');
    // the first terminal loads xterm's chunk (here the mocked screen module) before it asks for a shell
    await vi.waitFor(() => expect(useUiStore().panel).toBe('terminals'));
    expect(api.calls.find((c) => c.method === 'pty.open')?.params).toEqual({ target: { kind: 'host' }, cols: 80, rows: 24, cgroup: 'web' });
    expect(useTerminalsStore().tabs.map((t) => t.title)).toEqual(['host · nslab/web']);
    expect(useUiStore().panel).toBe('terminals');
    await useTerminalsStore().openInCgroup('web', 'red');
    expect(api.calls.filter((c) => c.method === 'pty.open').at(-1)?.params).toEqual({ target: { kind: 'node', node: 'red' }, cols: 80, rows: 24, cgroup: 'web' });
    refuse = true;
    await w.get('[data-testid="cgroup-open-terminal"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="cgroup-open-terminal-error"]').attributes('data-code')).toBe('permission-denied');
  });
});
