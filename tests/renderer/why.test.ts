// "Why?" against a scripted api: the node details' form sends why.explain with the picked target, proto and
// port; the answer shows the first failure (in the UI's language), its evidence, the fix and the other
// problems; Apply fix asks first and only then calls why.fix, then asks again. Under a lab's failed
// ping/tcp check the same button asks about that probe's from/to/port.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CheckResult, WhyAnswer, WhyCheck } from '../../electron/shared/contract/index';
import { createAppI18n } from '../../renderer/src/i18n';
import ProbeResults from '../../renderer/src/panels/Labs/ProbeResults.vue';
import NodeDetails from '../../renderer/src/panels/Topology/NodeDetails.vue';
import { useLabsStore } from '../../renderer/src/stores/labs';
import { useTopologyStore } from '../../renderer/src/stores/topology';
import { fakeApi, redBlue, type FakeApi } from './fake-api';

const text = (en: string, ko: string) => ({ en, ko });

function check(extra: Partial<WhyCheck>): WhyCheck {
  return { id: 'route', status: 'fail', direction: 'request', node: 'red', netns: 'nslab-red', key: 'route.none', params: {}, title: text('no route', '라우트 없음'), explanation: text('nothing sends it', '보낼 길이 없음'), evidence: [], fix: null, ...extra };
}

const ROUTE_FIX = { description: text('Add a default route on red', 'red에 기본 라우트 추가'), commands: ['ip -n nslab-red route add default via 10.0.0.254'], actions: [{ op: 'route.add' as const, node: 'red', to: 'default', via: '10.0.0.254' }] };

const broken: WhyAnswer = {
  from: 'red', to: '10.0.0.2', proto: 'icmp', port: null, target: 'blue', reachable: false,
  checks: [
    check({ evidence: [{ kind: 'route', text: 'ip route: (no default)', command: 'ip -n nslab-red route' }], fix: ROUTE_FIX }),
    check({ id: 'forwarding', status: 'warn', node: 'router', title: text('router does not forward', '라우터가 포워딩 안 함') }),
  ],
  first: 0,
  summary: text('red has no route to 10.0.0.2', 'red에 10.0.0.2로 가는 라우트가 없습니다'),
  fix: ROUTE_FIX, downstream: [1], observed: null, disagreements: [], ms: 3,
};
const fine: WhyAnswer = { ...broken, reachable: true, checks: [], first: null, summary: text('reachable', '도달 가능'), fix: null, downstream: [] };

function whyApi(answers: WhyAnswer[]): FakeApi {
  let n = 0;
  return fakeApi({
    'topology.show': () => ({ name: null, nodes: redBlue() }),
    'topology.list': () => ({ applied: [], builtin: [] }),
    'why.explain': () => answers[Math.min(n++, answers.length - 1)],
    'why.fix': () => ({ applied: 1, commands: ROUTE_FIX.commands }),
  });
}

async function mountNode(locale: 'en' | 'ko' = 'en') {
  const pinia = createPinia();
  setActivePinia(pinia);
  const topo = useTopologyStore();
  await topo.refresh();
  const node = topo.nodes.find((x) => x.name === 'red')!;
  return mount(NodeDetails, { props: { node }, global: { plugins: [pinia, createAppI18n(locale)] }, attachTo: document.body });
}

const calls = (api: FakeApi, method: string) => api.calls.filter((c) => c.method === method).map((c) => c.params);

beforeEach(() => {
  document.body.innerHTML = '';
  localStorage.clear();
});

describe('Why? in the node details', () => {
  it('offers the other nodes’ addresses, sends the question and shows the first failure, evidence, fix and the rest', async () => {
    const api = whyApi([broken]);
    const w = await mountNode();
    const options = w.findAll('[data-testid="node-why-target"] option').map((o) => o.text());
    expect(options).toContain('10.0.0.2');
    expect(options).not.toContain('10.0.0.1');
    expect(w.get('[data-testid="node-why-ask"]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid="node-why-target"]').setValue('10.0.0.2');
    await w.get('[data-testid="node-why"] form').trigger('submit');
    await flushPromises();
    expect(calls(api, 'why.explain')).toEqual([{ from: 'red', to: '10.0.0.2', proto: 'icmp' }]);
    expect(w.get('[data-testid="node-why-answer"]').attributes('data-reachable')).toBe('false');
    expect(w.get('[data-testid="node-why-summary"]').text()).toBe('red has no route to 10.0.0.2');
    expect(w.get('[data-testid="node-why-first"]').text()).toContain('no route');
    expect(w.get('[data-testid="node-why-evidence"]').text()).toContain('ip -n nslab-red route');
    expect(w.get('[data-testid="node-why-fix-commands"]').text()).toBe('ip -n nslab-red route add default via 10.0.0.254');
    expect(w.get('[data-testid="node-why-others"]').text()).toContain('router does not forward');
  });

  it('sends tcp with its port and refuses a bad port before asking', async () => {
    const api = whyApi([broken]);
    const w = await mountNode();
    await w.get('[data-testid="node-why-target"]').setValue('10.0.0.2');
    await w.get('[data-testid="node-why-proto"]').setValue('tcp');
    await w.get('[data-testid="node-why-port"]').setValue('70000');
    expect(w.get('[data-testid="node-why-port-error"]').text()).toContain('1–65535');
    expect(w.get('[data-testid="node-why-ask"]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid="node-why-port"]').setValue('8080');
    await w.get('[data-testid="node-why"] form').trigger('submit');
    await flushPromises();
    expect(calls(api, 'why.explain')).toEqual([{ from: 'red', to: '10.0.0.2', proto: 'tcp', port: 8080 }]);
  });

  it('applies the fix only after confirming, then asks again', async () => {
    const api = whyApi([broken, fine]);
    const w = await mountNode();
    await w.get('[data-testid="node-why-target"]').setValue('10.0.0.2');
    await w.get('[data-testid="node-why"] form').trigger('submit');
    await flushPromises();
    await w.get('[data-testid="node-why-apply"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="node-why-fix-confirm"]').text()).toContain('ip -n nslab-red route add default via 10.0.0.254');
    await w.get('[data-testid="node-why-fix-confirm-cancel"]').trigger('click');
    await flushPromises();
    expect(calls(api, 'why.fix')).toEqual([]);
    await w.get('[data-testid="node-why-apply"]').trigger('click');
    await flushPromises();
    await w.get('[data-testid="node-why-fix-confirm-confirm"]').trigger('click');
    await flushPromises();
    expect(calls(api, 'why.fix')).toEqual([{ actions: ROUTE_FIX.actions }]);
    expect(calls(api, 'why.explain')).toHaveLength(2);
    expect(w.get('[data-testid="node-why-answer"]').attributes('data-reachable')).toBe('true');
    expect(w.find('[data-testid="node-why-apply"]').exists()).toBe(false);
  });

  it('shows the helper’s Korean text when the UI is in Korean', async () => {
    whyApi([broken]);
    const w = await mountNode('ko');
    await w.get('[data-testid="node-why-target"]').setValue('10.0.0.2');
    await w.get('[data-testid="node-why"] form').trigger('submit');
    await flushPromises();
    expect(w.get('[data-testid="node-why-summary"]').text()).toBe('red에 10.0.0.2로 가는 라우트가 없습니다');
    expect(w.get('[data-testid="node-why-apply"]').text()).toBe('수정 적용');
  });
});

const LAB = {
  id: 'why-challenges', title: text('Why', 'Why'), summary: text('s', 's'), level: 'intermediate', minutes: 20, order: 15, requires: [], topics: ['routing'],
  topology: { name: 'lab-why-challenges', nodes: [{ name: 'wc-red', forwarding: false, bridges: [], routes: [] }], links: [] },
  setup: [],
  steps: [{
    id: 'round-3', title: text('Round 3', '3라운드'), goal: text('g', 'g'), dependsOn: [], commands: [], hints: [], solve: [],
    check: [
      { id: 'red-blue-tcp', probe: 'tcp', from: 'wc-red', to: '10.0.2.2', port: 8080, expect: 'reachable' },
      { id: 'policy', probe: 'iptables-policy', node: 'wc-router', table: 'filter', chain: 'FORWARD', equals: 'ACCEPT' },
    ],
  }],
};
const probe = (id: string, name: string) => ({ id, probe: name, label: id, ok: false, expected: 'e', observed: 'o', where: 'w' });
const failed: CheckResult = { id: 'why-challenges', ok: false, steps: [{ step: 1, id: 'round-3', title: LAB.steps[0]!.title, ok: false, probes: [probe('red-blue-tcp', 'tcp'), probe('policy', 'iptables-policy')] }], message: 'm' };

describe('Why? under a failed lab check', () => {
  it('asks about the failed tcp probe’s own from/to/port, and offers nothing for a non-reachability probe', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const api = fakeApi({
      'lab.show': () => ({ lab: LAB, file: '/labs/why-challenges.yaml', up: true, progress: { startedAt: null, passed: [], hints: 0, solved: [], completedAt: null, completions: [] } }),
      'why.explain': () => ({ ...broken, from: 'wc-red', to: '10.0.2.2', proto: 'tcp', port: 8080 }),
    });
    await useLabsStore().open('why-challenges');
    const w = mount(ProbeResults, { props: { result: failed, single: true }, global: { plugins: [pinia, createAppI18n('en')] }, attachTo: document.body });
    expect(w.find('[data-testid="probe-why-1-policy"]').exists()).toBe(false);
    await w.get('[data-testid="probe-why-1-red-blue-tcp-ask"]').trigger('click');
    await flushPromises();
    expect(calls(api, 'why.explain')).toEqual([{ from: 'wc-red', to: '10.0.2.2', proto: 'tcp', port: 8080 }]);
    expect(w.get('[data-testid="probe-why-1-red-blue-tcp-summary"]').text()).toBe('red has no route to 10.0.0.2');
  });
});
