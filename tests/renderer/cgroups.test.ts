import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CgroupDetail, CgroupInfo } from '../../electron/shared/contract/index';
import { NslabError } from '../../electron/shared/errors';
import { createAppI18n } from '../../renderer/src/i18n';
import CgroupsPanel from '../../renderer/src/panels/Cgroups/CgroupsPanel.vue';
import { formatBytes } from '../../renderer/src/panels/Cgroups/format';
import { appendSample, emptySeries, useCgroupsStore } from '../../renderer/src/stores/cgroups';
import { fakeApi, flush } from './fake-api';

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

describe('appendSample', () => {
  it('turns counters into CPU % and throttles per interval, keeps memory and its limit, caps the history', () => {
    const s = emptySeries();
    let prev = appendSample(s, stats(10, 0), 1000, null, 3);
    prev = appendSample(s, stats(20, 500_000_000, 2), 2000, prev, 3);
    expect(s.cpuPct).toEqual([null, 50]);
    expect(s.throttled).toEqual([null, 2]);
    expect(s.memory).toEqual([10, 20]);
    expect(s.memoryLimit).toEqual([64 * 2 ** 20, 64 * 2 ** 20]);
    prev = appendSample(s, stats(30, 1_500_000_000), 3000, prev, 3);
    appendSample(s, stats(40, 1_500_000_000), 4000, prev, 3);
    expect(s.t).toEqual([2, 3, 4]);
    expect(s.cpuPct).toEqual([50, 100, 0]);
  });

  it('formats bytes for people', () => {
    expect(formatBytes(64 * 2 ** 20)).toBe('64.0 MiB');
    expect(formatBytes(null)).toBe('—');
  });
});

describe('CgroupsPanel', () => {
  function mountPanel() {
    return mount(CgroupsPanel, { global: { plugins: [createPinia(), createAppI18n('en')], stubs: { LiveChart: ChartStub } } });
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
    expect(row.get('[data-testid="limit-now"]').text()).toBe('64.0 MiB');
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
});
