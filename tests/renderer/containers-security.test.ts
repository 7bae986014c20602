// The Containers and Security panels against a scripted api: the list, the isolation view next to the
// host's (shared namespaces and host root flagged), and the audit report in both languages with its filter.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { AuditReport, ContainerInfo, IsolationView } from '../../electron/shared/contract/index';
import { createAppI18n } from '../../renderer/src/i18n';
import ContainersPanel from '../../renderer/src/panels/Containers/ContainersPanel.vue';
import SecurityPanel from '../../renderer/src/panels/Security/SecurityPanel.vue';
import { useUiStore } from '../../renderer/src/stores/ui';
import { fakeApi } from './fake-api';

function mountWith<T>(component: T, locale: 'en' | 'ko' = 'en') {
  const pinia = createPinia();
  setActivePinia(pinia);
  useUiStore().setLocale(locale);
  return mount(component as never, { global: { plugins: [pinia, createAppI18n(locale)] }, attachTo: document.body });
}

const container = (name: string, extra: Partial<ContainerInfo> = {}): ContainerInfo => ({
  name, state: 'running', pid: 4242, argv: ['sleep', '300'], rootfs: 'busybox', hostname: name, netns: 'private', cgroup: `nslab/c-${name}`,
  net: 'none', ip: null, userns: null, capabilities: ['chown'], readOnly: false, noNewPrivs: false, limits: {}, createdAt: '2026-12-01T00:00:00Z', owner: `container:${name}`, exit: null, ...extra,
});
const view = (pid: number, shared: boolean, rootOnHost: number | null, bounding: string[]): IsolationView => ({
  pid, command: 'flock /proc/self/fd/3 sleep 300', hostReference: 'PID 1',
  namespaces: (['mnt', 'pid', 'net', 'user'] as const).map((type, i) => ({ type, inode: shared ? 4026531800 + i : 4026532200 + i, host: 4026531800 + i, shared: shared || type === 'user' })),
  user: { uids: [0, 0, 0, 0], gids: [0, 0, 0, 0], uidMap: [], gidMap: [], rootOnHost, setgroups: 'allow' },
  capabilities: { effective: bounding, permitted: bounding, inheritable: [], bounding, ambient: [] },
  noNewPrivs: false, seccomp: 'disabled', lsm: { current: null, name: null },
  cgroups: [{ hierarchy: 'memory', path: shared ? '/' : '/nslab/c-web', limits: {} }],
  mounts: [{ target: '/', source: 'nslab-rootfs', fstype: 'overlay', readOnly: false, propagation: 'private', options: 'rw' }, { target: '/sys', source: 'sysfs', fstype: 'sysfs', readOnly: true, propagation: 'private', options: 'ro' }],
  network: { links: [{ name: 'lo', state: 'UNKNOWN', addresses: ['127.0.0.1/8'] }], routes: [] }, unreadable: [],
});

describe('Containers panel', () => {
  it('lists containers and shows the selected one’s isolation next to the host’s', async () => {
    const api = fakeApi({
      'container.list': () => ({ containers: [container('web'), container('rootless', { userns: { uidMap: [{ inside: 0, outside: 100000, count: 65536 }], gidMap: [] } })] }),
      'process.inspect': (p) => ((p as { pid: number }).pid === 1 ? view(1, true, 0, ['chown', 'sys_admin']) : view(4242, false, 0, ['chown', 'kill'])),
      'container.stop': () => container('web', { state: 'exited', pid: null }),
    });
    const w = mountWith(ContainersPanel);
    await flushPromises();
    expect(w.find('[data-testid="container-rootless"]').text()).toContain('host uid 100000');
    expect(w.find('[data-testid="container-web"]').text()).toContain('host root');
    await w.find('[data-testid="container-web"] button').trigger('click');
    await flushPromises();
    const iso = w.find('[data-testid="isolation-view"]');
    expect(iso.find('[data-testid="iso-ns-pid"]').text()).toMatch(/4026532201 · private\s*4026531801/);
    expect(iso.find('[data-testid="iso-ns-user"]').classes()).toContain('warn'); // shared with the host
    expect(iso.find('[data-testid="iso-root"]').classes()).toContain('warn'); // root is host root
    expect(iso.find('[data-testid="iso-caps"]').text()).toMatch(/chown, kill\s*chown, sys_admin/);
    expect(iso.find('[data-testid="iso-mounts"]').text()).toContain('/sys (ro)');
    await w.find('[data-testid="container-stop-web"]').trigger('click');
    await flushPromises();
    expect(api.calls.some((c) => c.method === 'container.stop')).toBe(false); // asked first
    await w.find('[data-testid="container-stop-confirm-confirm"]').trigger('click');
    await flushPromises();
    expect(api.calls.some((c) => c.method === 'container.stop' && (c.params as { name: string }).name === 'web')).toBe(true);
    w.unmount();
  });
});

describe('Containers panel: the run form', () => {
  it('names the field of each problem, sends nothing until they are fixed, then runs it detached', async () => {
    const api = fakeApi({
      'container.list': () => ({ containers: [] }),
      'process.inspect': () => view(1, true, 0, []),
      'container.run': () => ({ ...container('web'), stdout: '', stderr: '', oomKilled: false, startMs: 40 }),
    });
    const w = mountWith(ContainersPanel, 'ko');
    await flushPromises();
    const field = (f: string) => w.find(`[data-testid="run-${f}"]`);
    await field('name').setValue('Bad Name');
    await field('memory').setValue('5m');
    await field('capDrop').setValue('chown,nope');
    await field('net').setValue('bridge:nobridge');
    await w.find('[data-testid="container-run-form"] form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="run-name-error"]').text()).toMatch(/container name may contain only/);
    expect(w.find('[data-testid="run-memory-error"]').text()).toMatch(/6m/);
    expect(w.find('[data-testid="run-capDrop-error"]').text()).toMatch(/"nope" is not a Linux capability/);
    expect(w.find('[data-testid="run-net-error"]').exists()).toBe(true);
    expect(w.find('[data-testid="container-run-form"]').text()).toContain('컨테이너 실행'); // Korean labels
    expect(api.calls.some((c) => c.method === 'container.run')).toBe(false);
    await field('name').setValue('web');
    await field('memory').setValue('64m');
    await field('capDrop').setValue('ALL');
    await field('net').setValue('none');
    await field('userns').setValue(true);
    await w.find('[data-testid="container-run-form"] form').trigger('submit');
    await flushPromises();
    const call = api.calls.find((c) => c.method === 'container.run');
    expect(call?.params).toMatchObject({ name: 'web', limits: { memory: '64m' }, capDrop: ['ALL'], userns: true, detach: true, argv: ['sleep', '3600'] });
    w.unmount();
  });
});

const report: AuditReport = {
  at: '2026-12-01T00:00:00Z', mode: 'host', root: true, targets: ['weak'], unseen: ['not root: nothing'],
  items: [
    { id: '1-6', title: { en: 'Resource control', ko: '자원 통제' }, status: 'fail', automated: true, results: [{ check: 'memory-limit', title: { en: 'A memory limit', ko: '메모리 제한' }, target: 'container:weak', status: 'fail', evidence: 'no memory limit', fix: { en: 'Give --memory', ko: '--memory 지정' }, cis: '5.10' }] },
    { id: '1-4', title: { en: 'Namespace management', ko: '네임스페이스 관리' }, status: 'pass', automated: true, results: [{ check: 'private-namespaces', title: { en: 'Private namespaces', ko: '분리된 네임스페이스' }, target: 'container:weak', status: 'pass', evidence: 'mnt, pid: private', fix: { en: '-', ko: '-' }, cis: '5.9' }] },
  ],
  summary: { pass: 1, fail: 1, na: 0, guidance: 0, automatedItems: 2 },
};

describe('Security panel', () => {
  it('runs the audit and shows evidence, fixes and CIS items in Korean, filtered by status', async () => {
    const api = fakeApi({ 'audit.run': () => report });
    const w = mountWith(SecurityPanel, 'ko');
    await w.find('[data-testid="audit-run"]').trigger('click');
    await flushPromises();
    expect(api.calls.map((c) => c.method)).toEqual(['audit.run']);
    expect(w.find('[data-testid="audit-summary"]').text()).toContain('통과 1, 실패 1');
    const item = w.find('[data-testid="audit-item-1-6"]');
    expect(item.text()).toContain('1-6 자원 통제');
    expect(item.text()).toContain('CIS 5.10');
    expect(item.text()).toContain('조치: --memory 지정');
    await w.findAll('.filters input')[0]!.setValue(true); // only failures
    expect(w.find('[data-testid="audit-item-1-4"]').exists()).toBe(false);
    expect(w.find('[data-testid="audit-item-1-6"]').exists()).toBe(true);
    w.unmount();
  });
});
