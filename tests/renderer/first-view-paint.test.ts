// The Topology panel opens the first-view gate (startup/firstView.ts) only once its graph is on screen — the
// graph says so (painted) — so the journal, the doctor report and the terminals do not share the renderer's
// thread with the first paint; with nothing to draw, as soon as the snapshot is in.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppI18n } from '../../renderer/src/i18n';
import TopologyPanel from '../../renderer/src/panels/Topology/TopologyPanel.vue';
import { afterFirstView, resetFirstView } from '../../renderer/src/startup/firstView';
import { fakeApi, flush, redBlue } from './fake-api';

const GraphStub = { name: 'TopologyGraph', props: ['model', 'selected', 'theme'], emits: ['painted'], template: '<div data-testid="topology-graph"></div>' };

function mountPanel(nodes: ReturnType<typeof redBlue>) {
  fakeApi({ 'topology.show': () => ({ name: null, nodes }), 'topology.list': () => ({ applied: [], builtin: [] }) });
  const pinia = createPinia();
  setActivePinia(pinia);
  return mount(TopologyPanel, { global: { plugins: [pinia, createAppI18n('en')], stubs: { TopologyGraph: GraphStub } }, attachTo: document.body });
}

beforeEach(() => {
  document.body.innerHTML = '';
  localStorage.clear();
  resetFirstView();
});
afterEach(() => resetFirstView());

describe('the Topology panel and the first view', () => {
  it('waits for the graph to be painted, not only for the snapshot', async () => {
    let ran = 0;
    afterFirstView(() => ran++);
    const w = mountPanel(redBlue());
    await flushPromises();
    await flush();
    expect(w.find('[data-testid="topology-graph"]').exists()).toBe(true);
    expect(ran).toBe(0);
    w.findComponent({ name: 'TopologyGraph' }).vm.$emit('painted');
    expect(ran).toBe(1);
    w.unmount();
  });

  it('opens it once the snapshot is in when there is no graph to draw', async () => {
    let ran = 0;
    afterFirstView(() => ran++);
    const w = mountPanel([]);
    await flushPromises();
    await flush();
    expect(w.find('[data-testid="topology-empty"]').exists()).toBe(true);
    expect(ran).toBe(1);
    w.unmount();
  });
});
