// The Topology panel's route and sysctl forms (NodeRoutes, NodeSysctls) and the open/paste YAML dialog:
// instant validation naming the field, node-scoped calls only, confirmation before a delete, errors at
// their line and column, Apply only for a valid document.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NodeSnapshot } from '../../electron/shared/contract/index';
import { NslabError } from '../../electron/shared/errors';
import { createAppI18n } from '../../renderer/src/i18n';
import NodeDetails from '../../renderer/src/panels/Topology/NodeDetails.vue';
import NodeRoutes from '../../renderer/src/panels/Topology/NodeRoutes.vue';
import NodeSysctls from '../../renderer/src/panels/Topology/NodeSysctls.vue';
import YamlDialog from '../../renderer/src/panels/Topology/YamlDialog.vue';
import { lineText, offsetOf } from '../../renderer/src/panels/Topology/yamlText';
import { fakeApi, node, type FakeApi } from './fake-api';

function mountWith<T>(component: T, props: Record<string, unknown> = {}, lang: 'en' | 'ko' = 'en') {
  const pinia = createPinia();
  setActivePinia(pinia);
  return mount(component as never, { props: props as never, global: { plugins: [pinia, createAppI18n(lang)] }, attachTo: document.body });
}
const callsOf = (api: FakeApi, method: string) => api.calls.filter((c) => c.method === method).map((c) => c.params);
const red = (extra: Partial<NodeSnapshot> = {}): NodeSnapshot =>
  node('red', [{ name: 'veth-red', addresses: ['10.0.0.1/24'] }], {
    routes: [
      { to: '10.0.0.0/24', dev: 'veth-red', protocol: 'kernel', scope: 'link', family: 'inet' },
      { to: 'default', via: '10.0.0.2', dev: 'veth-red', family: 'inet' },
    ],
    ...extra,
  });

function routingApi(extra: Parameters<typeof fakeApi>[0] = {}): FakeApi {
  return fakeApi({
    'topology.show': () => ({ name: null, nodes: [red()] }),
    'topology.list': () => ({ applied: [], builtin: [] }),
    'net.node.route.add': (p) => ({ node: 'red', to: (p as { to: string }).to }),
    'net.node.route.delete': (p) => ({ node: 'red', to: (p as { to: string }).to }),
    'net.node.sysctl.set': (p) => ({ node: 'red', name: (p as { name: string }).name, value: (p as { value: number }).value }),
    ...extra,
  });
}

beforeEach(() => {
  document.body.innerHTML = '';
  localStorage.clear();
  sessionStorage.clear();
});
afterEach(() => vi.useRealTimers());

describe('NodeRoutes', () => {
  it('lists the routes and adds a default route via a gateway with net.node.route.add', async () => {
    const api = routingApi();
    const w = mountWith(NodeRoutes, { node: red() });
    expect(w.findAll('[data-testid="routes-table"] tbody tr')).toHaveLength(2);
    expect(w.get('[data-testid="route-default"]').text()).toContain('10.0.0.2');
    await w.get('[data-testid="route-to"]').setValue('default');
    await w.get('[data-testid="route-via"]').setValue('10.0.0.254');
    await w.get('[data-testid="form-route"]').trigger('submit');
    await flushPromises();
    expect(callsOf(api, 'net.node.route.add')).toEqual([{ node: 'red', to: 'default', via: '10.0.0.254' }]);
    expect(w.get('[data-testid="route-add-done"]').text()).toContain('default via 10.0.0.254');
    // The CLI-only writers are never called from a page.
    expect(api.calls.map((c) => c.method)).not.toContain('net.route.add');
  });

  it('names the bad field at once and keeps Add disabled; needs a gateway or an interface', async () => {
    routingApi();
    const w = mountWith(NodeRoutes, { node: red() });
    await w.get('[data-testid="route-to"]').setValue('everywhere');
    expect(w.get('[data-testid="route-to-error"]').text()).toMatch(/default|CIDR|prefix/i);
    expect(w.get('[data-testid="route-add"]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid="route-to"]').setValue('10.9.0.0/16');
    await w.get('[data-testid="route-via"]').setValue('10.0.0.300');
    expect(w.get('[data-testid="route-via-error"]').text()).toMatch(/IPv4 or IPv6/);
    await w.get('[data-testid="route-via"]').setValue('');
    expect(w.get('[data-testid="route-nexthop-error"]').text()).toMatch(/gateway \(via\) or an interface \(dev\)/);
    expect(w.get('[data-testid="route-add"]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid="route-dev"]').setValue('veth-red');
    expect(w.find('[data-testid="route-nexthop-error"]').exists()).toBe(false);
    expect(w.get('[data-testid="route-add"]').attributes('disabled')).toBeUndefined();
  });

  it('shows the helper’s error under the form, and clears it when a field changes', async () => {
    routingApi({
      'net.node.route.add': () => {
        throw new NslabError('invalid-params', 'Nexthop has invalid gateway', { field: 'via' });
      },
    });
    const w = mountWith(NodeRoutes, { node: red() });
    await w.get('[data-testid="route-to"]').setValue('default');
    await w.get('[data-testid="route-via"]').setValue('192.0.2.1');
    await w.get('[data-testid="form-route"]').trigger('submit');
    await flushPromises();
    expect(w.get('[data-testid="route-add-error"]').text()).toContain('invalid gateway');
    await w.get('[data-testid="route-via"]').setValue('10.0.0.2');
    expect(w.find('[data-testid="route-add-error"]').exists()).toBe(false);
  });

  it('asks before deleting a route, and deletes exactly that route when confirmed', async () => {
    const api = routingApi();
    const w = mountWith(NodeRoutes, { node: red() });
    await w.get('[data-testid="route-delete-default"]').trigger('click');
    await flushPromises();
    expect(document.querySelector('[data-testid="route-delete-confirm"]')?.textContent).toContain('default via 10.0.0.2 dev veth-red');
    (document.querySelector('[data-testid="route-delete-confirm-cancel"]') as HTMLElement).click();
    await flushPromises();
    expect(callsOf(api, 'net.node.route.delete')).toEqual([]);
    await w.get('[data-testid="route-delete-default"]').trigger('click');
    await flushPromises();
    (document.querySelector('[data-testid="route-delete-confirm-confirm"]') as HTMLElement).click();
    await flushPromises();
    expect(callsOf(api, 'net.node.route.delete')).toEqual([{ node: 'red', to: 'default', via: '10.0.0.2', dev: 'veth-red' }]);
  });

  it('in a namespace nslab has no record of, offers no edits (adopt first)', async () => {
    routingApi();
    const w = mountWith(NodeDetails, { node: red({ recorded: false }) });
    expect(w.get('[data-testid="routing-needs-adopt"]').text()).toMatch(/adopt/i);
    expect(w.find('[data-testid="route-delete-default"]').exists()).toBe(false);
    await w.get('[data-testid="route-to"]').setValue('default');
    await w.get('[data-testid="route-via"]').setValue('10.0.0.2');
    expect(w.get('[data-testid="route-add"]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid="forwarding-toggle"]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid="rp-apply"]').attributes('disabled')).toBeDefined();
  });
});

describe('NodeSysctls', () => {
  it('toggles ip_forward with net.node.sysctl.set', async () => {
    const api = routingApi();
    const w = mountWith(NodeSysctls, { node: red() });
    expect(w.get('[data-testid="forwarding-toggle"]').text()).toBe('Turn IPv4 forwarding on');
    await w.get('[data-testid="forwarding-toggle"]').trigger('click');
    await flushPromises();
    expect(callsOf(api, 'net.node.sysctl.set')).toEqual([{ node: 'red', name: 'net.ipv4.ip_forward', value: 1 }]);
    await w.setProps({ node: red({ forwarding: true }) } as never);
    expect(w.get('[data-testid="forwarding-toggle"]').text()).toBe('Turn IPv4 forwarding off');
    await w.get('[data-testid="forwarding-toggle"]').trigger('click');
    await flushPromises();
    expect(callsOf(api, 'net.node.sysctl.set')[1]).toEqual({ node: 'red', name: 'net.ipv4.ip_forward', value: 0 });
  });

  it('sets rp_filter for all or one interface, explaining strict and loose', async () => {
    const api = routingApi();
    const w = mountWith(NodeSysctls, { node: red({ rpFilter: 0 }) });
    expect(w.text()).toMatch(/1 · strict — drop a packet unless the route back to its source leaves by the interface it came in on/);
    expect(w.text()).toMatch(/2 · loose/);
    expect((w.get('[data-testid="rp-0"]').element as HTMLInputElement).checked).toBe(true);
    expect(w.findAll('[data-testid="rp-scope"] option').map((o) => o.text())).toEqual(['all', 'default', 'veth-red']);
    await w.get('[data-testid="rp-1"]').setValue(true);
    await w.get('[data-testid="form-rp-filter"]').trigger('submit');
    await flushPromises();
    await w.get('[data-testid="rp-scope"]').setValue('veth-red');
    await w.get('[data-testid="rp-2"]').setValue(true);
    await w.get('[data-testid="form-rp-filter"]').trigger('submit');
    await flushPromises();
    expect(callsOf(api, 'net.node.sysctl.set')).toEqual([
      { node: 'red', name: 'net.ipv4.conf.all.rp_filter', value: 1 },
      { node: 'red', name: 'net.ipv4.conf.veth-red.rp_filter', value: 2 },
    ]);
  });

  it('shows each scope’s current value and what is in effect on an interface (max of all and its own)', async () => {
    routingApi();
    const w = mountWith(NodeSysctls, { node: node('red', [{ name: 'veth-red', rpFilter: 0 }], { rpFilter: 1 }) });
    expect(w.get('[data-testid="rp-current"]').text()).toBe('Now: net.ipv4.conf.all.rp_filter = 1.');
    expect((w.get('[data-testid="rp-1"]').element as HTMLInputElement).checked).toBe(true);
    await w.get('[data-testid="rp-scope"]').setValue('veth-red');
    expect(w.get('[data-testid="rp-current"]').text()).toBe('Now: net.ipv4.conf.veth-red.rp_filter = 0. In effect on veth-red: 1.');
    expect((w.get('[data-testid="rp-0"]').element as HTMLInputElement).checked).toBe(true);
  });

  it('speaks Korean', () => {
    routingApi();
    const w = mountWith(NodeSysctls, { node: red() }, 'ko');
    expect(w.text()).toContain('IPv4 포워딩 켜기');
    expect(w.text()).toContain('엄격(strict)');
  });
});

describe('YamlDialog', () => {
  const BAD = 'name: typo\nnodes:\n  - name: red\nlinks:\n  - endpoint: []\n';
  const GOOD = 'name: pair\nnodes:\n  - name: red\n  - name: blue\n';
  const preview = { name: 'pair', nodes: [{ name: 'red', netns: 'nslab-red', forwarding: false, bridges: [], routes: [] }, { name: 'blue', netns: 'nslab-blue', forwarding: true, bridges: [], routes: [] }], links: [], vxlans: [{ node: 'red', name: 'vx0', addresses: ['10.42.0.1/24'], vni: 42, remote: '192.0.2.2', dstport: 4789, dev: 'eth0' }] };

  function yamlApi(): FakeApi {
    return fakeApi({
      'topology.show': () => ({ name: null, nodes: [] }),
      'topology.list': () => ({ applied: [], builtin: [] }),
      'topology.validate': (p) =>
        (p as { yaml: string }).yaml.includes('endpoint:')
          ? { valid: false, errors: [{ field: 'links.0.endpoint', line: 5, col: 5, message: "links.0.endpoint: unknown key 'endpoint' — did you mean 'endpoints'?" }], preview: null }
          : { valid: true, errors: [], preview },
      'topology.apply': () => ({ name: 'pair', created: ['netns nslab-red', 'netns nslab-blue'], unchanged: [], ms: 3 }),
    });
  }

  it('checks pasted text with topology.validate and shows each error at its line and column, with the line', async () => {
    vi.useFakeTimers();
    const api = yamlApi();
    const w = mountWith(YamlDialog);
    await w.get('[data-testid="yaml-text"]').setValue(BAD);
    expect(w.find('[data-testid="yaml-checking"]').exists()).toBe(true);
    await vi.advanceTimersByTimeAsync(300);
    await flushPromises();
    expect(callsOf(api, 'topology.validate')).toEqual([{ yaml: BAD }]);
    const err = w.get('[data-testid="yaml-error-0"]');
    expect(err.attributes('data-line')).toBe('5');
    expect(err.text()).toContain('line 5, column 5');
    expect(err.text()).toContain("did you mean 'endpoints'?");
    expect(err.get('pre').text()).toMatch(/5 \|\s+- endpoint: \[\]\s+\|\s+\^/);
    expect(w.get('[data-testid="yaml-apply"]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid="yaml-text"]').attributes('aria-invalid')).toBe('true');
    // Going to the problem puts the cursor there.
    await w.get('[data-testid="yaml-error-0-jump"]').trigger('click');
    const area = w.get('[data-testid="yaml-text"]').element as HTMLTextAreaElement;
    expect(area.selectionStart).toBe(offsetOf(BAD, 5, 5));
    expect(BAD.slice(area.selectionStart)).toMatch(/^endpoint:/);
  });

  it('previews a valid topology and applies it with topology.apply, keeping the text across a reload', async () => {
    vi.useFakeTimers();
    const api = yamlApi();
    const w = mountWith(YamlDialog);
    await w.get('[data-testid="yaml-text"]').setValue(GOOD);
    await vi.advanceTimersByTimeAsync(300);
    await flushPromises();
    expect(w.get('[data-testid="yaml-valid"]').text()).toBe('Valid: 2 nodes, 1 links.');
    expect(w.get('[data-testid="yaml-preview-node-blue"]').text()).toContain('nslab-blue');
    expect(w.get('[data-testid="yaml-preview-vxlan-0"]').text()).toMatch(/red\/vx0 ⇢ 192\.0\.2\.2\s*VNI 42 to 192\.0\.2\.2:4789 over eth0 10\.42\.0\.1\/24/);
    expect(sessionStorage.getItem('nslab.topology.yaml')).toBe(GOOD);
    vi.useRealTimers();
    await w.get('[data-testid="yaml-apply"]').trigger('click');
    await flushPromises();
    expect(callsOf(api, 'topology.apply')).toEqual([{ yaml: GOOD, file: 'pasted.yaml' }]);
    expect(w.emitted('applied')?.[0]).toEqual([{ name: 'pair', created: ['netns nslab-red', 'netns nslab-blue'], unchanged: [], ms: 3 }]);
    w.unmount();
    const again = mountWith(YamlDialog);
    expect((again.get('[data-testid="yaml-text"]').element as HTMLTextAreaElement).value).toBe(GOOD);
  });

  it('opens a file through the file input and names it in Apply', async () => {
    const api = yamlApi();
    const w = mountWith(YamlDialog);
    const input = w.get('[data-testid="yaml-file"]').element as HTMLInputElement;
    const file = new File([GOOD], 'mine.yaml', { type: 'application/yaml' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await w.get('[data-testid="yaml-file"]').trigger('change');
    await flushPromises();
    expect((w.get('[data-testid="yaml-text"]').element as HTMLTextAreaElement).value).toBe(GOOD);
    await new Promise((r) => setTimeout(r, 300));
    await flushPromises();
    await w.get('[data-testid="yaml-apply"]').trigger('click');
    await flushPromises();
    expect(callsOf(api, 'topology.apply')).toEqual([{ yaml: GOOD, file: 'mine.yaml' }]);
  });

  it('closes on Escape', async () => {
    yamlApi();
    const w = mountWith(YamlDialog);
    await w.get('[data-testid="yaml-dialog"]').trigger('keydown', { key: 'Escape' });
    expect(w.emitted('close')).toHaveLength(1);
  });
});

describe('yamlText', () => {
  it('maps a line and column to an offset, clamped to the line', () => {
    const text = 'ab\ncdef\n\nx';
    expect(offsetOf(text, 1, 1)).toBe(0);
    expect(offsetOf(text, 2, 3)).toBe(5);
    expect(offsetOf(text, 2, 99)).toBe(7);
    expect(offsetOf(text, 9, 1)).toBe(text.length);
    expect(lineText(text, 2)).toBe('cdef');
    expect(lineText(text, 9)).toBe('');
  });
});
