import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { NslabError } from '../../electron/shared/errors';
import App from '../../renderer/src/App.vue';
import { createAppI18n } from '../../renderer/src/i18n';
import ActivityPanel from '../../renderer/src/panels/Activity/ActivityPanel.vue';
import BuildForms from '../../renderer/src/panels/Topology/BuildForms.vue';
import TopologyPanel from '../../renderer/src/panels/Topology/TopologyPanel.vue';
import { useActivityStore } from '../../renderer/src/stores/activity';
import { useTopologyStore } from '../../renderer/src/stores/topology';
import { PANELS } from '../../renderer/src/stores/ui';
import { doctorReport, fakeApi, flush, redBlue, type FakeApi } from './fake-api';

const GraphStub = { name: 'TopologyGraph', props: ['model', 'selected', 'theme'], template: '<div data-testid="topology-graph" :data-edges="model.edges.length"></div>' };

function mountWith<T>(component: T, api?: FakeApi) {
  const pinia = createPinia();
  setActivePinia(pinia);
  void api;
  return mount(component as never, { global: { plugins: [pinia, createAppI18n('en')], stubs: { TopologyGraph: GraphStub } }, attachTo: document.body });
}

function topologyApi(nodes = redBlue()): FakeApi {
  return fakeApi({
    'topology.show': () => ({ name: null, nodes }),
    'topology.list': () => ({ applied: [], builtin: [{ name: 'red-blue', file: '/r/red-blue.yaml', yaml: 'name: red-blue\n' }] }),
    'net.netns.create': (p) => ({ netns: `nslab-${(p as { node: string }).node}` }),
    'net.link.create': () => ({ name: 'veth-red', netns: 'nslab-red' }),
    'net.addr.add': (p) => ({ address: (p as { address: string }).address }),
    'topology.apply': () => ({ name: 'red-blue', created: [], unchanged: [], ms: 1 }),
  });
}

beforeEach(() => {
  document.body.innerHTML = '';
  localStorage.clear();
});

describe('BuildForms', () => {
  it('flags a bad node name at once and keeps Create disabled', async () => {
    topologyApi();
    const w = mountWith(BuildForms);
    await w.get('[data-testid="ns-name"]').setValue('bad name');
    expect(w.get('[data-testid="ns-name-error"]').text()).toContain('spaces');
    expect(w.get('[data-testid="ns-name"]').attributes('aria-invalid')).toBe('true');
    expect(w.get('[data-testid="ns-create"]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid="ns-name"]').setValue('red');
    expect(w.find('[data-testid="ns-name-error"]').exists()).toBe(false);
    expect(w.get('[data-testid="ns-create"]').attributes('disabled')).toBeUndefined();
  });

  it('creates a namespace with the typed params and shows the helper error under the button that caused it', async () => {
    const api = topologyApi();
    const w = mountWith(BuildForms);
    await w.get('[data-testid="ns-name"]').setValue('red');
    await w.get('[data-testid="form-namespace"]').trigger('submit');
    await flushPromises();
    expect(api.calls.find((c) => c.method === 'net.netns.create')?.params).toEqual({ node: 'red' });
    expect(w.get('[data-testid="ns-create-done"]').text()).toContain('nslab-red');

    api.handlers.set('net.netns.create', () => {
      throw new NslabError('exists', 'namespace nslab-red already exists', { field: 'node' });
    });
    await w.get('[data-testid="ns-name"]').setValue('red');
    await w.get('[data-testid="form-namespace"]').trigger('submit');
    await flushPromises();
    const err = w.get('[data-testid="ns-create-error"]');
    expect(err.attributes('role')).toBe('alert');
    expect(err.attributes('data-code')).toBe('exists');
    expect(err.text()).toContain('namespace nslab-red already exists');
    expect(w.find('[data-testid="veth-create-error"]').exists()).toBe(false);
    // An old error is about the old value: editing the field clears it.
    await w.get('[data-testid="ns-name"]').setValue('green');
    expect(w.find('[data-testid="ns-create-error"]').exists()).toBe(false);
  });

  it('asks before deleting a namespace; "Don\'t ask again" is remembered', async () => {
    const api = topologyApi();
    api.handlers.set('net.netns.delete', (p) => ({ netns: `nslab-${(p as { node: string }).node}` }));
    const deletes = () => api.calls.filter((c) => c.method === 'net.netns.delete');
    let w = mountWith(BuildForms);
    await useTopologyStore().refresh();
    await flush();
    await w.get('[data-testid="ns-delete-node"]').setValue('red');
    await w.get('[data-testid="form-namespace-delete"]').trigger('submit');
    await flushPromises();
    expect(w.get('[data-testid="ns-delete-confirm"]').text()).toContain('Delete namespace nslab-red?');
    await w.get('[data-testid="ns-delete-confirm-cancel"]').trigger('click');
    await flushPromises();
    expect(deletes()).toEqual([]);
    await w.get('[data-testid="form-namespace-delete"]').trigger('submit');
    await flushPromises();
    await w.get('[data-testid="ns-delete-confirm-dont-ask"]').setValue(true);
    await w.get('[data-testid="ns-delete-confirm-confirm"]').trigger('click');
    await flushPromises();
    expect(deletes().map((c) => c.params)).toEqual([{ node: 'red' }]);
    expect(localStorage.getItem('nslab.confirmDestructive')).toBe('off');
    w.unmount();

    // A new page remembers: no question any more.
    w = mountWith(BuildForms);
    await useTopologyStore().refresh();
    await flush();
    await w.get('[data-testid="ns-delete-node"]').setValue('blue');
    await w.get('[data-testid="form-namespace-delete"]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="ns-delete-confirm"]').exists()).toBe(false);
    expect(deletes().map((c) => c.params)).toEqual([{ node: 'red' }, { node: 'blue' }]);
  });

  it('creates a veth pair between two nodes with default interface names, and an address', async () => {
    const api = topologyApi();
    const w = mountWith(BuildForms);
    await useTopologyStore().refresh();
    await flush();
    await w.get('[data-testid="veth-from"]').setValue('red');
    await w.get('[data-testid="veth-to"]').setValue('blue');
    expect((w.get('[data-testid="veth-from-if"]').element as HTMLInputElement).value).toBe('veth-red');
    expect((w.get('[data-testid="veth-to-if"]').element as HTMLInputElement).value).toBe('veth-blue');
    await w.get('[data-testid="form-veth"]').trigger('submit');
    await flushPromises();
    expect(api.calls.find((c) => c.method === 'net.link.create')?.params).toEqual({ node: 'red', name: 'veth-red', kind: 'veth', peer: { node: 'blue', name: 'veth-blue' } });

    await w.get('[data-testid="addr-node"]').setValue('red');
    await flush();
    expect((w.get('[data-testid="addr-dev"]').element as HTMLSelectElement).value).toBe('veth-red');
    await w.get('[data-testid="addr-value"]').setValue('10.0.0.1');
    expect(w.get('[data-testid="addr-value-error"]').text()).toContain('prefix');
    await w.get('[data-testid="addr-value"]').setValue('10.0.0.1/24');
    await w.get('[data-testid="form-address"]').trigger('submit');
    await flushPromises();
    expect(api.calls.find((c) => c.method === 'net.addr.add')?.params).toEqual({ node: 'red', dev: 'veth-red', address: '10.0.0.1/24' });
  });
});

describe('TopologyPanel', () => {
  it('shows a designed loading state, then the empty state with a hint', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fakeApi({ 'topology.show': async () => (await gate, { name: null, nodes: [] }), 'topology.list': () => ({ applied: [], builtin: [] }) });
    const w = mountWith(TopologyPanel);
    await flush();
    expect(w.find('[data-testid="topology-loading"]').exists()).toBe(true);
    release();
    await flushPromises();
    expect(w.get('[data-testid="topology-empty"]').text()).toContain('No nslab namespaces yet');
  });

  it('shows an error state with the typed code, and Retry recovers', async () => {
    let fail = true;
    fakeApi({
      'topology.show': () => {
        if (fail) throw new NslabError('permission-denied', 'not allowed');
        return { name: null, nodes: redBlue() };
      },
      'topology.list': () => ({ applied: [], builtin: [] }),
    });
    const w = mountWith(TopologyPanel);
    await flushPromises();
    expect(w.get('[data-testid="topology-error"]').text()).toContain('permission-denied');
    fail = false;
    await w.get('[data-testid="topology-error"] button').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="topology-graph"]').attributes('data-edges')).toBe('1');
  });

  it('offers Adopt for a namespace nslab has no record of, after confirming', async () => {
    const nodes = redBlue();
    nodes[0]!.recorded = false;
    const api = topologyApi(nodes);
    api.handlers.set('ledger.adopt', () => ({ dryRun: false, adopted: [{ kind: 'netns', netns: null, name: 'nslab-red', owner: 'adopted' }] }));
    const w = mountWith(TopologyPanel);
    await flushPromises();
    await w.get('[data-testid="node-item-blue"]').trigger('click');
    expect(w.find('[data-testid="node-adopt"]').exists()).toBe(false);
    await w.get('[data-testid="node-item-red"]').trigger('click');
    expect(w.get('[data-testid="node-unrecorded"]').text()).toContain('not recorded by nslab');
    await w.get('[data-testid="node-adopt"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="adopt-confirm"]').text()).toContain('Adopt nslab-red?');
    nodes[0]!.recorded = true;
    await w.get('[data-testid="adopt-confirm-confirm"]').trigger('click');
    await flushPromises();
    expect(api.calls.filter((c) => c.method === 'ledger.adopt').map((c) => c.params)).toEqual([{ names: ['nslab-red'] }]);
    expect(w.find('[data-testid="node-unrecorded"]').exists()).toBe(false);
  });

  it('lists nodes, selects one by click or arrow keys, and shows its links, routes and forwarding', async () => {
    const nodes = redBlue();
    nodes[0]!.forwarding = true;
    nodes[0]!.routes = [{ to: '10.0.0.0/24', dev: 'veth-red', protocol: 'kernel', scope: 'link', family: 'inet' }];
    topologyApi(nodes);
    const w = mountWith(TopologyPanel);
    await flushPromises();
    expect(w.get('[data-testid="node-details"]').text()).toContain('Select a namespace');
    await w.get('[data-testid="node-item-red"]').trigger('click');
    const details = w.get('[data-testid="node-details"]');
    expect(details.text()).toContain('Node red');
    expect(details.get('[data-testid="forwarding"]').text()).toBe('on');
    expect(details.get('[data-testid="link-veth-red"]').text()).toContain('10.0.0.1/24');
    expect(details.get('[data-testid="link-veth-red"]').text()).toContain('nslab-blue');
    expect(details.get('[data-testid="routes-table"]').text()).toContain('10.0.0.0/24');
    await w.get('[data-testid="node-item-red"]').trigger('keydown', { key: 'ArrowDown' });
    expect(useTopologyStore().selected).toBe('blue');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('node-item-blue');
  });

  it('applies a shipped topology and shows its error next to it', async () => {
    const api = topologyApi();
    const w = mountWith(TopologyPanel);
    await flushPromises();
    await w.get('[data-testid="apply-red-blue"]').trigger('click');
    await flushPromises();
    expect(api.calls.find((c) => c.method === 'topology.apply')?.params).toEqual({ builtin: 'red-blue' }); // the YAML stays in the helper
    api.handlers.set('topology.apply', () => {
      throw new NslabError('busy', 'the ledger is locked');
    });
    await w.get('[data-testid="apply-red-blue"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="shipped-red-blue-error"]').text()).toContain('busy');
  });
});

describe('ActivityPanel', () => {
  it('shows the empty state, then each command with its result; copies one; exports a script', async () => {
    const api = fakeApi();
    const w = mountWith(ActivityPanel);
    expect(w.find('[data-testid="activity-empty"]').exists()).toBe(true);
    const log = useActivityStore();
    log.start();
    api.emit('activity', { at: '2026-01-01T10:00:00Z', argv: ['ip', 'netns', 'add', 'nslab-red'], shell: ['ip netns add nslab-red'], ok: true, ms: 3 });
    api.emit('activity', { at: '2026-01-01T10:00:01Z', argv: ['ip'], shell: ['ip netns add nslab-red'], ok: false, ms: 1, error: { code: 'exists', message: 'File exists' } });
    await flush();
    const rows = w.findAll('[data-testid="activity-row"]');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.text()).toContain('failed');
    expect(rows[0]!.text()).toContain('exists: File exists');
    expect(rows[1]!.get('[data-testid="activity-cmd"]').text()).toBe('ip netns add nslab-red');

    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await rows[1]!.get('[data-testid="activity-copy"]').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenCalledWith('ip netns add nslab-red');

    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => (blobs.push(b), 'blob:x'));
    URL.revokeObjectURL = vi.fn();
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    await w.get('[data-testid="activity-export"]').trigger('click');
    expect(clicked).toHaveBeenCalled();
    const text = await blobs[0]!.text();
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text).toContain('\nset -e\n');
    expect(text.match(/ip netns add nslab-red/g)).toHaveLength(1);
  });
});

describe('App', () => {
  function appApi(): FakeApi {
    return fakeApi({
      'helper.hello': () => ({ version: '1', pid: 1, root: true, mode: 'host', stateDir: '/s' }),
      'system.doctor': () => doctorReport(),
      'topology.show': () => ({ name: null, nodes: [] }),
      'topology.list': () => ({ applied: [], builtin: [] }),
    });
  }

  it('shows mode, kernel and cgroup layout in the status bar', async () => {
    appApi();
    const w = mountWith(App);
    await flushPromises();
    expect(w.get('[data-testid="status-mode"]').text()).toContain('host');
    expect(w.get('[data-testid="status-kernel"]').text()).toContain('6.18.0');
    expect(w.get('[data-testid="status-cgroup"]').text()).toContain('v2');
    expect(w.get('[data-testid="status-helper"]').text()).toContain('ready');
  });

  it('switches to Korean labels and remembers it', async () => {
    appApi();
    const w = mountWith(App);
    await flushPromises();
    await w.get('[data-testid="language"]').setValue('ko');
    await flush();
    expect(w.get('[data-testid="nav-topology"]').text()).toContain('토폴로지');
    expect(w.get('h1').text()).toBe('토폴로지');
    expect(document.documentElement.lang).toBe('ko');
    expect(localStorage.getItem('nslab.locale')).toBe('ko');
    // the status bar too, down to how the page is connected
    expect(w.get('[data-testid="status-helper"]').text()).not.toMatch(/browser|electron/i);
    expect(w.get('[data-testid="status-helper"]').text()).toMatch(/(브라우저|Electron) 연결/);
  });

  it('moves between panels with the arrow keys and applies the theme toggle', async () => {
    appApi();
    const w = mountWith(App);
    await flushPromises();
    await w.get('[data-testid="nav-topology"]').trigger('keydown', { key: 'ArrowDown' });
    await flush();
    expect(w.get('[data-testid="nav-activity"]').attributes('aria-selected')).toBe('true');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('nav-activity');
    expect(w.find('#panel-activity').exists()).toBe(true);
    await w.get('[data-testid="nav-activity"]').trigger('keydown', { key: 'End' });
    await flush();
    const last = PANELS[PANELS.length - 1]!;
    expect(w.get(`[data-testid="nav-${last}"]`).attributes('aria-selected')).toBe('true');
    expect(w.find(`#panel-${last}`).exists()).toBe(true);
    await w.get(`[data-testid="nav-${last}"]`).trigger('keydown', { key: 'ArrowDown' });
    await flush();
    expect(w.find('#panel-topology').exists()).toBe(true);
    const before = document.documentElement.dataset.theme;
    await w.get('[data-testid="theme-toggle"]').trigger('click');
    expect(document.documentElement.dataset.theme).not.toBe(before);
  });
});
