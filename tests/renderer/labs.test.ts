// The Labs store and panel against a scripted api (the real runner is exercised by tests/integration/labs.test.ts
// and, through the panel, by tests/e2e/labs.e2e.ts): catalogue states and topic filter, step selection,
// check/hint/solve/up/down calls and where their errors show, the solve confirmation, run-in-terminal.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CheckResult, LabProgress, LabSummary } from '../../electron/shared/contract/index';
import { NslabError } from '../../electron/shared/errors';
import { createAppI18n } from '../../renderer/src/i18n';
import LabsPanel from '../../renderer/src/panels/Labs/LabsPanel.vue';
import { LABS_STORAGE, topicGroups, useLabsStore } from '../../renderer/src/stores/labs';
import { useHelperStore } from '../../renderer/src/stores/helper';
import { useTerminalsStore } from '../../renderer/src/stores/terminals';
import { useUiStore } from '../../renderer/src/stores/ui';
import { fakeApi, flush, type FakeApi } from './fake-api';

// xterm.js needs a real layout engine: a screen that records what it is given.
const written: string[] = [];
vi.mock('../../renderer/src/terminal/screen', async () => {
  const { fakeScreen } = await import('./fake-screen');
  return { createScreen: (opts: { cols: number; rows: number }) => fakeScreen(opts, { onWrite: (d) => written.push(d), parse: true, found: true }) };
});


const text = (en: string, ko: string) => ({ en, ko });
const progress = (extra: Partial<LabProgress> = {}): LabProgress => ({ startedAt: null, passed: [], hints: 0, solved: [], completedAt: null, completions: [], ...extra });

function summary(id: string, extra: Partial<LabSummary> = {}): LabSummary {
  return {
    id,
    title: text(`Title ${id}`, `제목 ${id}`),
    summary: text(`Summary ${id}`, `요약 ${id}`),
    level: 'beginner',
    minutes: 15,
    order: 1,
    requires: [],
    topics: ['netns', 'bridge'],
    steps: 2,
    file: `/labs/${id}.yaml`,
    up: false,
    progress: progress(),
    ...extra,
  };
}

const LAB = {
  id: 'netns-bridge',
  title: text('RED ← br0 → BLUE', 'RED ← br0 → BLUE (한국어)'),
  summary: text('Two namespaces on a bridge', '브리지 위의 두 네임스페이스'),
  level: 'beginner',
  minutes: 15,
  topics: ['netns', 'bridge'],
  intro: text('A veth pair joins two namespaces.', 'veth 한 쌍은 두 네임스페이스를 연결합니다.'),
  topology: { name: 'lab-netns-bridge', nodes: [{ name: 'br-red' }, { name: 'br-host' }], links: [] },
  setup: [],
  steps: [
    {
      id: 'unplugged',
      title: text('A bridge with no ports', '포트가 없는 브리지'),
      goal: text('Find br0.', 'br0를 찾으세요.'),
      dependsOn: [],
      commands: [{ node: 'br-host', cmd: 'ip -br link' }],
      check: [{ id: '0', probe: 'link', node: 'br-host', name: 'br0' }],
      hints: [],
      solve: [],
    },
    {
      id: 'plug',
      title: text('Plug both cables into br0', '두 케이블을 br0에 꽂기'),
      goal: text('Make veth-red a port of br0.', 'veth-red를 br0의 포트로 만드세요.'),
      why: text('Only a bridge forwards the ARP broadcast.', 'ARP 브로드캐스트는 브리지만 넘겨 줍니다.'),
      dependsOn: ['unplugged'],
      commands: [
        { node: 'br-host', cmd: 'ip link set veth-red master br0' },
        { cmd: 'ip netns list' },
      ],
      check: [{ id: 'red-port', probe: 'bridge-port', node: 'br-host', bridge: 'br0', port: 'veth-red' }],
      hints: [],
      solve: [],
    },
  ],
};

const failing: CheckResult = {
  id: 'netns-bridge',
  ok: false,
  steps: [
    {
      step: 2,
      id: 'plug',
      title: LAB.steps[1]!.title,
      ok: false,
      probes: [
        { id: 'red-port', probe: 'bridge-port', label: 'veth-red on bridge br-host/br0', ok: false, expected: 'veth-red is a port of br0', observed: 'ports of br0: none', where: 'ip -n nslab-br-host link show master br0' },
      ],
    },
  ],
  message: 'step 2 (plug): veth-red on bridge br-host/br0: expected veth-red is a port of br0; observed ports of br0: none',
};

const passing: CheckResult = {
  ...failing,
  ok: true,
  steps: [{ ...failing.steps[0]!, ok: true, probes: [{ ...failing.steps[0]!.probes[0]!, ok: true, observed: 'ports of br0: veth-red' }] }],
  message: null,
};

interface LabsFake extends FakeApi {
  state: { up: boolean; passed: string[] };
}

function labsApi(overrides: Record<string, (p: unknown) => unknown> = {}): LabsFake {
  const state = { up: false, passed: [] as string[] };
  let nextPty = 1;
  const api = fakeApi({
    'lab.list': () => ({
      labs: [
        summary('netns-bridge', { up: state.up, progress: progress({ passed: state.passed }) }),
        summary('ping-failed', { topics: ['bridge', 'iptables', 'br-netfilter'], level: 'intermediate', steps: 3 }),
        summary('cgroup-memory', { topics: ['cgroup', 'memory'], level: 'advanced', progress: progress({ passed: ['a', 'b'], completedAt: '2026-11-25T09:00:00Z', completions: [{ at: '2026-11-25T09:00:00Z', startedAt: null, hints: 0, solved: 0 }] }) }),
      ],
    }),
    'lab.show': () => ({ lab: LAB, file: '/labs/netns-bridge.yaml', up: state.up, progress: progress({ passed: state.passed }) }),
    'lab.up': () => ((state.up = true), { id: 'netns-bridge', topology: 'lab-netns-bridge', created: ['netns nslab-br-red', 'netns nslab-br-host'], ms: 5 }),
    'lab.down': () => ((state.up = false), { id: 'netns-bridge', removed: ['netns nslab-br-red'] }),
    'lab.reset': () => ({ id: 'netns-bridge', removed: [], created: [] }),
    'lab.check': () => failing,
    'lab.hint': () => ({ id: 'netns-bridge', step: 2, stepId: 'plug', probe: failing.steps[0]!.probes[0]!, hint: text('veth-red is not a port of br0', 'veth-red가 br0의 포트가 아닙니다') }),
    'lab.solve': () => ({ id: 'netns-bridge', steps: [{ step: 2, id: 'plug', shell: ['ip -n nslab-br-host link set veth-red master br0'] }] }),
    'lab.export': () => ({ id: 'netns-bridge', script: '#!/bin/sh\nip netns add nslab-br-red\n' }),
    'lab.progress': () => ({ user: 'root', labs: { 'netns-bridge': progress({ passed: state.passed }) } }),
    'pty.list': () => ({ sessions: [] }),
    'pty.open': (p: unknown) => ({ id: `t${nextPty++}`, pid: 100, target: (p as { target: unknown }).target, title: 'br-host', cols: 80, rows: 24, detached: false, exited: null, command: 'sh', startedAt: '2026-12-01T10:00:00.000Z', clients: 1, endsAt: null }),
    'pty.write': () => ({}),
    'pty.kill': () => ({}),
    'pty.ack': () => ({}),
    'pty.resize': () => ({}),
    'topology.show': () => ({ name: null, nodes: [] }),
    'topology.list': () => ({ applied: [], builtin: [] }),
    ...overrides,
  } as never) as LabsFake;
  api.state = state;
  return api;
}

function mountPanel(locale: 'en' | 'ko' = 'en') {
  const pinia = createPinia();
  setActivePinia(pinia);
  return mount(LabsPanel, { global: { plugins: [pinia, createAppI18n(locale)] }, attachTo: document.body });
}

/** Mounts the panel and opens the netns-bridge lab from the catalogue. */
async function openBridgeLab() {
  const w = mountPanel();
  await flushPromises();
  await w.get('[data-testid="lab-open-netns-bridge"]').trigger('click');
  await flushPromises();
  return w;
}

const calls = (api: FakeApi, method: string) => api.calls.filter((c) => c.method === method).map((c) => c.params);

beforeEach(() => {
  document.body.innerHTML = '';
  localStorage.clear();
  sessionStorage.clear();
  written.length = 0;
});

describe('topicGroups', () => {
  it('puts fine-grained topics into the network, firewall and cgroups filters', () => {
    expect(topicGroups(['netns', 'veth', 'bridge'])).toEqual(['network']);
    expect(topicGroups(['bridge', 'iptables', 'br-netfilter'])).toEqual(['network', 'firewall']);
    expect(topicGroups(['nat', 'conntrack'])).toEqual(['firewall']);
    expect(topicGroups(['cgroup', 'memory'])).toEqual(['cgroups']);
    expect(topicGroups(['cgroup-cpu'])).toEqual(['cgroups']);
  });
});

describe('the labs store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('reloads the catalogue when the topology changes (a lab started elsewhere), without polling', async () => {
    const api = labsApi();
    const store = useLabsStore();
    await store.start();
    expect(store.labs.find((l) => l.id === 'netns-bridge')?.up).toBe(false);
    api.state.up = true;
    api.emit('topology.changed', { reason: 'apply' });
    await flush();
    await flush();
    expect(calls(api, 'lab.list')).toHaveLength(2);
    expect(store.labs.find((l) => l.id === 'netns-bridge')?.up).toBe(true);
  });

  it('opens a lab at its first step not passed, and remembers it', async () => {
    const api = labsApi();
    api.state.passed = ['unplugged'];
    const store = useLabsStore();
    await store.open('netns-bridge');
    expect(calls(api, 'lab.show')).toEqual([{ id: 'netns-bridge' }]);
    expect(store.step).toBe(2);
    expect(store.currentStep?.id).toBe('plug');
    expect(localStorage.getItem(LABS_STORAGE.open)).toBe('netns-bridge');
    store.close();
    expect(localStorage.getItem(LABS_STORAGE.open)).toBeNull();
  });

  it('checks, hints and solves the shown step, and keeps each error under its own action', async () => {
    const api = labsApi();
    const store = useLabsStore();
    await store.open('netns-bridge');
    store.selectStep(2);
    await store.runCheck();
    expect(calls(api, 'lab.check')).toEqual([{ id: 'netns-bridge', step: 2 }]);
    expect(store.check?.step).toBe(2);
    expect(store.check?.result.ok).toBe(false);
    await store.runCheck(true);
    expect(calls(api, 'lab.check')[1]).toEqual({ id: 'netns-bridge' });
    expect(store.check?.step).toBeNull();

    await store.getHint();
    expect(calls(api, 'lab.hint')).toEqual([{ id: 'netns-bridge', step: 2 }]);
    expect(store.hint?.hint?.en).toContain('veth-red');

    api.handlers.set('lab.solve', () => {
      throw new NslabError('busy', 'the ledger is locked');
    });
    await store.solve();
    expect(store.errors.solve?.code).toBe('busy');
    expect(store.errors.check).toBeUndefined();
    expect(store.busy).toBeNull();
  });

  it('runs a command in a terminal on its node, stays on the Labs panel, and reuses that terminal', async () => {
    const api = labsApi();
    const store = useLabsStore();
    const ui = useUiStore();
    ui.open('labs');
    await store.open('netns-bridge');
    await store.runCommand({ node: 'br-host', cmd: 'ip -br link' });
    await flush();
    expect(calls(api, 'pty.open')).toEqual([{ target: { kind: 'node', node: 'br-host' }, cols: 80, rows: 24 }]);
    expect(calls(api, 'pty.write')).toEqual([{ id: 't1', data: 'ip -br link\r' }]);
    expect(ui.panel).toBe('labs');
    expect(store.terminal).toBe('t1');

    await store.runCommand({ node: 'br-host', cmd: 'bridge link' });
    expect(calls(api, 'pty.open')).toHaveLength(1);
    expect(calls(api, 'pty.write')[1]).toEqual({ id: 't1', data: 'bridge link\r' });

    // A terminal that cannot open says why, next to the terminal.
    api.handlers.set('pty.open', () => {
      throw new NslabError('not-found', 'no netns nslab-br-red');
    });
    await store.runCommand({ node: 'br-red', cmd: 'ping -c 1 10.0.0.2' });
    expect(store.errors.terminal?.code).toBe('not-found');
    expect(calls(api, 'pty.write')).toHaveLength(2);
  });

  it("closes the lab's terminals before taking the lab down", async () => {
    const api = labsApi();
    api.state.up = true;
    const store = useLabsStore();
    await store.start();
    await store.open('netns-bridge');
    await store.openTerminal({ kind: 'node', node: 'br-host' });
    const terminals = useTerminalsStore();
    expect(terminals.tabs.map((t) => t.id)).toEqual(['t1']);
    await store.bringDown();
    expect(calls(api, 'pty.kill')[0]).toEqual({ id: 't1', signal: 'SIGHUP' });
    const order = api.calls.map((c) => c.method);
    expect(order.indexOf('pty.kill')).toBeLessThan(order.indexOf('lab.down'));
    expect(terminals.tabs).toEqual([]);
    expect(store.up).toBe(false);
  });
});

describe('the Labs panel', () => {
  it('shows a loading state, then the cards in the UI language with level, time and progress', async () => {
    let answer: (v: unknown) => void = () => undefined;
    const api = labsApi();
    const list = api.handlers.get('lab.list')!;
    api.handlers.set('lab.list', () => new Promise((r) => (answer = r)));
    const w = mountPanel('ko');
    await flush();
    expect(w.find('[data-testid="labs-loading"]').exists()).toBe(true);
    answer(list({}));
    await flushPromises();
    const card = w.get('[data-testid="lab-card-netns-bridge"]');
    expect(card.text()).toContain('제목 netns-bridge');
    expect(card.text()).toContain('입문');
    expect(card.text()).toContain('15분');
    expect(w.get('[data-testid="lab-card-cgroup-memory"]').text()).toContain('완료');
    expect(w.get('[data-testid="lab-progress-cgroup-memory"]').attributes('value')).toBe('2');
  });

  it('filters by topic (a lab can be in two), with arrow keys too, and remembers the filter', async () => {
    labsApi();
    const w = mountPanel();
    await flushPromises();
    await w.get('[data-testid="lab-topic-firewall"]').trigger('click');
    expect(w.findAll('[data-testid^="lab-card-"]').map((c) => c.attributes('data-testid'))).toEqual(['lab-card-ping-failed']);
    await w.get('[data-testid="lab-topic-firewall"]').trigger('keydown', { key: 'ArrowRight' });
    expect(w.findAll('[data-testid^="lab-card-"]').map((c) => c.attributes('data-testid'))).toEqual(['lab-card-cgroup-memory']);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('lab-topic-cgroups');
    expect(localStorage.getItem(LABS_STORAGE.topic)).toBe('cgroups');
    await w.get('[data-testid="lab-topic-network"]').trigger('click');
    expect(w.findAll('[data-testid^="lab-card-"]')).toHaveLength(2);
  });

  it('shows the error with its code and retries', async () => {
    const api = labsApi();
    const list = api.handlers.get('lab.list')!;
    api.handlers.set('lab.list', () => {
      throw new NslabError('permission-denied', 'cannot read resources/labs');
    });
    const w = mountPanel();
    await flushPromises();
    const box = w.get('[data-testid="labs-error"]');
    expect(box.get('[role="alert"]').attributes('data-code')).toBe('permission-denied');
    expect(box.text()).toContain('cannot read resources/labs');
    api.handlers.set('lab.list', list);
    await box.get('button').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="lab-card-netns-bridge"]').exists()).toBe(true);
  });

  it('shows the empty state when no lab could be read', async () => {
    labsApi({ 'lab.list': () => ({ labs: [] }) });
    const w = mountPanel();
    await flushPromises();
    expect(w.find('[data-testid="labs-empty"]').exists()).toBe(true);
  });

  it('opens a lab: steps, goal, commands; Check and Solve wait for the lab to be started', async () => {
    const api = labsApi();
    const w = await openBridgeLab();
    expect(w.get('h1').text()).toBe('RED ← br0 → BLUE');
    expect(w.get('[data-testid="lab-step-detail"]').attributes('data-step')).toBe('1');
    expect(w.get('[data-testid="lab-goal"]').text()).toBe('Find br0.');
    expect(w.get('[data-testid="lab-cmd-0"]').text()).toContain('ip -br link');
    expect(w.get('[data-testid="lab-check"]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid="lab-solve"]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid="lab-cmd-run-0"]').attributes('disabled')).toBeDefined();

    await w.get('[data-testid="lab-up"]').trigger('click');
    await flushPromises();
    expect(calls(api, 'lab.up')).toEqual([{ id: 'netns-bridge' }]);
    expect(w.get('[data-testid="lab-state"]').attributes('data-up')).toBe('true');
    expect(w.get('[data-testid="lab-done"]').text()).toContain('2 objects');
    expect(w.get('[data-testid="lab-check"]').attributes('disabled')).toBeUndefined();

    // The step list moves with the arrow keys.
    await w.get('[data-testid="lab-step-1"]').trigger('keydown', { key: 'ArrowDown' });
    await flush();
    expect(w.get('[data-testid="lab-step-detail"]').attributes('data-step')).toBe('2');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('lab-step-2');
    expect(w.get('[data-testid="lab-step-2"]').attributes('aria-current')).toBe('step');
  });

  it('shows a failing check with expected, observed and where to look, then the hint', async () => {
    const api = labsApi();
    api.state.up = true;
    api.state.passed = ['unplugged'];
    const w = await openBridgeLab();
    await w.get('[data-testid="lab-check"]').trigger('click');
    await flushPromises();
    expect(calls(api, 'lab.check')).toEqual([{ id: 'netns-bridge', step: 2 }]);
    const row = w.get('[data-testid="probe-red-port"]');
    expect(row.attributes('data-ok')).toBe('false');
    expect(row.get('[data-testid="probe-expected"]').text()).toBe('veth-red is a port of br0');
    expect(row.get('[data-testid="probe-observed"]').text()).toBe('ports of br0: none');
    expect(row.get('[data-testid="probe-where"]').text()).toBe('ip -n nslab-br-host link show master br0');
    expect(w.get('[data-testid="lab-step-2"]').attributes('data-state')).toBe('failed');
    expect(w.find('[data-testid="lab-next"]').exists()).toBe(false);

    await w.get('[data-testid="lab-hint"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="lab-hint-text"]').text()).toBe('veth-red is not a port of br0');

    api.handlers.set('lab.check', () => passing);
    await w.get('[data-testid="lab-check"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="lab-check-result"]').attributes('data-ok')).toBe('true');
  });

  it('asks before stopping; Reset also works on a stopped lab (it starts afresh) after confirming', async () => {
    const api = labsApi();
    api.state.up = true;
    const w = await openBridgeLab();
    await w.get('[data-testid="lab-down"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="lab-down-confirm"]').text()).toContain('Stop lab');
    await w.get('[data-testid="lab-down-confirm-cancel"]').trigger('click');
    await flushPromises();
    expect(calls(api, 'lab.down')).toEqual([]);
    await w.get('[data-testid="lab-down"]').trigger('click');
    await flushPromises();
    await w.get('[data-testid="lab-down-confirm-confirm"]').trigger('click');
    await flushPromises();
    expect(calls(api, 'lab.down')).toEqual([{ id: 'netns-bridge' }]);
    expect(w.get('[data-testid="lab-state"]').attributes('data-up')).toBe('false');

    const reset = w.get('[data-testid="lab-reset"]');
    expect(reset.attributes('disabled')).toBeUndefined();
    await reset.trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="lab-reset-confirm"]').text()).toContain('every step unchecked');
    await w.get('[data-testid="lab-reset-confirm-confirm"]').trigger('click');
    await flushPromises();
    expect(calls(api, 'lab.reset')).toEqual([{ id: 'netns-bridge' }]);
    expect(w.get('[data-testid="lab-state"]').attributes('data-up')).toBe('true');
  });

  it('asks before solving: Escape cancels, confirming applies the step and shows what ran', async () => {
    const api = labsApi();
    api.state.up = true;
    api.state.passed = ['unplugged'];
    const w = await openBridgeLab();

    await w.get('[data-testid="lab-solve"]').trigger('click');
    await flush();
    const dialog = w.get('[data-testid="solve-confirm"]');
    expect(dialog.attributes('role')).toBe('alertdialog');
    expect(dialog.text()).toContain('step 2');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('solve-confirm-cancel');
    await dialog.trigger('keydown', { key: 'Escape' });
    expect(w.find('[data-testid="solve-confirm"]').exists()).toBe(false);
    expect(calls(api, 'lab.solve')).toEqual([]);

    await w.get('[data-testid="lab-solve"]').trigger('click');
    await flush();
    await w.get('[data-testid="solve-confirm-confirm"]').trigger('click');
    await flushPromises();
    expect(calls(api, 'lab.solve')).toEqual([{ id: 'netns-bridge', step: 2 }]);
    expect(w.get('[data-testid="lab-solved-shell"]').text()).toBe('ip -n nslab-br-host link set veth-red master br0');
  });

  it('shows an action error next to the action, with its code', async () => {
    labsApi({
      'lab.up': () => {
        throw new NslabError('tool-missing', 'ip not found');
      },
    });
    const w = await openBridgeLab();
    await w.get('[data-testid="lab-up"]').trigger('click');
    await flushPromises();
    const note = w.get('[data-testid="lab-up-error"]');
    expect(note.attributes('data-code')).toBe('tool-missing');
    expect(note.text()).toContain('ip not found');
    expect(w.get('[data-testid="lab-state"]').attributes('data-up')).toBe('false');
  });

  it('marks the labs that need host mode, and says why in sandbox mode, in both languages', async () => {
    const hostOnly = { needs: 'cgroups' as const, reason: 'it writes cgroup limits: in sandbox mode cgroups are read-only' };
    const api = labsApi();
    const list = api.handlers.get('lab.list')!;
    api.handlers.set('lab.list', (p) => {
      const r = list(p) as { labs: LabSummary[] };
      return { labs: r.labs.map((l) => (l.id === 'cgroup-memory' ? { ...l, hostOnly } : l)) };
    });
    for (const [locale, why] of [['en', /Needs host mode \(root\).*read-only in sandbox mode.*sudo/], ['ko', /호스트 모드\(root\)가 필요합니다.*sudo/]] as const) {
      const w = mountPanel(locale);
      useHelperStore().hello = { version: '1', pid: 1, root: false, mode: 'sandbox', stateDir: '/s' };
      await flushPromises();
      expect(w.get('[data-testid="lab-host-only-cgroup-memory"]').text()).toBe(locale === 'en' ? 'Host mode' : '호스트 모드');
      expect(w.get('[data-testid="lab-host-only-why-cgroup-memory"]').text()).toMatch(why);
      expect(w.find('[data-testid="lab-host-only-netns-bridge"]').exists()).toBe(false);
      w.unmount();
    }
  });

  it('offers a host command only in host mode', async () => {
    const api = labsApi();
    api.state.up = true;
    api.state.passed = ['unplugged'];
    const w = await openBridgeLab();
    expect(w.get('[data-testid="lab-cmd-run-0"]').attributes('disabled')).toBeUndefined();
    // No helper.hello yet: the mode is unknown, so the host terminal is not offered.
    expect(w.get('[data-testid="lab-cmd-run-1"]').attributes('disabled')).toBeDefined();
  });

  it('downloads the exported script', async () => {
    const api = labsApi();
    const clicked: string[] = [];
    const createObjectURL = vi.fn(() => 'blob:nslab');
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const spy = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    const w = await openBridgeLab();
    await w.get('[data-testid="lab-export"]').trigger('click');
    await flushPromises();
    expect(calls(api, 'lab.export')).toEqual([{ id: 'netns-bridge' }]);
    expect(clicked).toEqual(['nslab-lab-netns-bridge.sh']);
    expect(createObjectURL).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });
});
