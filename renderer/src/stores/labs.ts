// Guided labs: the catalogue (with progress and whether each lab is up), the lab open in the panel, and its
// actions — up, check, hint, solve, reset, down, export — each with its own busy flag and typed error, so
// the panel shows an error next to the button that caused it. The list follows `topology.changed` (a lab
// brought up or down elsewhere, by the CLI or another window) instead of polling. Commands of a step run in
// a terminal on the lab's node through the terminals store.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { CheckResult, LabSummary, PtyTarget, Result } from '@shared/contract/index';
import { toNslabError, type NslabError } from '@shared/errors';
import type { LabSpec } from '@shared/labs/schema';
import { useApi } from '../api';
import { useLoading } from '../composables/useLoading';
import { useMutations } from '../composables/useMutations';
import { useTerminalsStore } from './terminals';
import { readStored, writeStored } from './storage';
import { useUiStore } from './ui';
import { coalesced } from '../composables/coalesce';

export type LabAction = 'up' | 'down' | 'reset' | 'check' | 'hint' | 'solve' | 'export' | 'terminal';
export type LabCommand = LabSpec['steps'][number]['commands'][number];

export const TOPIC_GROUPS = ['network', 'firewall', 'cgroups'] as const;
export type TopicGroup = (typeof TOPIC_GROUPS)[number];
export type TopicFilter = TopicGroup | 'all';

const FIREWALL_TOPICS = new Set(['iptables', 'nftables', 'netfilter', 'nat', 'conntrack', 'br-netfilter', 'firewall']);
const CGROUP_TOPICS = new Set(['memory', 'cpu', 'cpuset', 'cfs', 'oom', 'pids', 'io', 'realtime']);

/** The catalogue's filter groups a lab belongs to, from its fine-grained topics (a lab may be in two). */
export function topicGroups(topics: readonly string[]): TopicGroup[] {
  const groups = new Set<TopicGroup>();
  for (const t of topics) {
    if (FIREWALL_TOPICS.has(t)) groups.add('firewall');
    else if (t.startsWith('cgroup') || CGROUP_TOPICS.has(t)) groups.add('cgroups');
    else groups.add('network');
  }
  return TOPIC_GROUPS.filter((g) => groups.has(g));
}

export const LABS_STORAGE = { topic: 'nslab.labs.topic', open: 'nslab.labs.open' } as const;


/** A check is for one step (`step`) or for the whole lab (`step: null`). */
export interface StepCheck {
  step: number | null;
  result: CheckResult;
}

/** The terminal a command goes to: the node's, or the host's for a command without a node. */
export const commandTarget = (c: Pick<LabCommand, 'node'>): PtyTarget => (c.node ? { kind: 'node', node: c.node } : { kind: 'host' });

const sameTarget = (a: PtyTarget, b: PtyTarget): boolean =>
  a.kind === b.kind && (a.kind !== 'node' || (b.kind === 'node' && a.node === b.node)) && (a.kind !== 'pid' || (b.kind === 'pid' && a.pid === b.pid));

export const useLabsStore = defineStore('labs', () => {
  const labs = shallowRef<LabSummary[]>([]);
  const { loading, error, track } = useLoading();
  const loaded = ref(false);
  const storedTopic = readStored(LABS_STORAGE.topic);
  const topic = ref<TopicFilter>((TOPIC_GROUPS as readonly string[]).includes(storedTopic ?? '') ? (storedTopic as TopicGroup) : 'all');

  /** The lab open in the panel (null: the catalogue). */
  const openId = ref<string | null>(readStored(LABS_STORAGE.open));
  const detail = shallowRef<Result<'lab.show'> | null>(null);
  const detailLoading = ref(false);
  const detailError = shallowRef<NslabError | null>(null);
  /** The step shown, numbered from 1. */
  const step = ref(1);
  const check = shallowRef<StepCheck | null>(null);
  const hint = shallowRef<Result<'lab.hint'> | null>(null);
  const solved = shallowRef<Result<'lab.solve'> | null>(null);
  /** The action running, the errors under their actions, what the last one did (the status line next to the buttons). */
  const { busy, errors, done, finished, run, reset: resetActions } = useMutations<LabAction>();
  /** The terminal tab the lab view shows. */
  const terminal = ref<string | null>(null);

  let stop: (() => void) | null = null;

  const filtered = computed(() => (topic.value === 'all' ? labs.value : labs.value.filter((l) => topicGroups(l.topics).includes(topic.value as TopicGroup))));
  const lab = computed<LabSpec | null>(() => (detail.value && detail.value.lab.id === openId.value ? detail.value.lab : null));
  const summary = computed(() => labs.value.find((l) => l.id === openId.value) ?? null);
  /** Up as the list (refreshed on topology changes) says, else as lab.show said. */
  const up = computed(() => summary.value?.up ?? detail.value?.up ?? false);
  const progress = computed(() => summary.value?.progress ?? detail.value?.progress ?? null);
  const currentStep = computed(() => lab.value?.steps[step.value - 1] ?? null);
  const nodes = computed(() => lab.value?.topology?.nodes.map((n) => n.name) ?? []);
  /** Step ids passed at their last check. */
  const passed = computed(() => new Set(progress.value?.passed ?? []));

  /** Reloads the catalogue; calls made during a reload coalesce into one more. */
  const refresh = coalesced(() =>
    track(async () => {
      labs.value = (await useApi().call('lab.list', {})).labs;
      loaded.value = true;
    }),
  );

  function start(): Promise<void> {
    stop ??= useApi().on('topology.changed', () => void refresh());
    const list = refresh();
    if (openId.value && !detail.value) void load(openId.value);
    return list;
  }

  function dispose(): void {
    stop?.();
    stop = null;
  }

  function setTopic(v: TopicFilter): void {
    topic.value = v;
    writeStored(LABS_STORAGE.topic, v);
  }

  function clearResults(): void {
    check.value = null;
    hint.value = null;
    solved.value = null;
    resetActions();
  }

  async function load(id: string): Promise<void> {
    detailLoading.value = true;
    detailError.value = null;
    try {
      const r = await useApi().call('lab.show', { id });
      if (openId.value !== id) return;
      detail.value = r;
      // Where the learner left off: the first step not passed yet.
      const i = r.lab.steps.findIndex((s) => !r.progress.passed.includes(s.id));
      step.value = i === -1 ? r.lab.steps.length : i + 1;
    } catch (err) {
      if (openId.value === id) detailError.value = toNslabError(err);
    } finally {
      detailLoading.value = false;
    }
  }

  /** Opens a lab's view. */
  function open(id: string): Promise<void> {
    if (openId.value !== id) {
      detail.value = null;
      clearResults();
      terminal.value = null;
    }
    openId.value = id;
    writeStored(LABS_STORAGE.open, id);
    return load(id);
  }

  /** Back to the catalogue. */
  function close(): void {
    openId.value = null;
    detail.value = null;
    detailError.value = null;
    clearResults();
    terminal.value = null;
    writeStored(LABS_STORAGE.open, null);
  }

  function selectStep(n: number): void {
    const count = lab.value?.steps.length ?? 0;
    if (n < 1 || n > count || n === step.value) return;
    step.value = n;
    check.value = null;
    hint.value = null;
    solved.value = null;
    done.value = null;
  }

  /** Runs one action of the open lab (useMutations: one at a time, its error kept under its name). */
  function act<T>(action: LabAction, fn: (id: string) => Promise<T>, doneText?: string | ((result: T) => string)): Promise<T | undefined> {
    const id = openId.value;
    return id ? run(action, () => fn(id), doneText) : Promise.resolve(undefined);
  }

  /** Merges a lab's fresh state (up, progress) into the list without waiting for the next reload. */
  function patchSummary(id: string, patch: Partial<LabSummary>): void {
    labs.value = labs.value.map((l) => (l.id === id ? { ...l, ...patch } : l));
    if (detail.value?.lab.id === id) {
      const { up: u, progress: p } = patch;
      detail.value = { ...detail.value, ...(u !== undefined ? { up: u } : {}), ...(p !== undefined ? { progress: p } : {}) };
    }
  }

  async function syncProgress(id: string): Promise<void> {
    const r = await useApi().call('lab.progress', { id });
    const p = r.labs[id];
    if (p) patchSummary(id, { progress: p });
  }

  /** Closes the terminals on this lab's nodes: their namespaces are about to go (or be rebuilt). */
  async function closeLabTerminals(): Promise<void> {
    const terminals = useTerminalsStore();
    const mine = new Set(nodes.value);
    for (const tab of [...terminals.tabs]) if (tab.target.kind === 'node' && mine.has(tab.target.node)) await terminals.close(tab.id);
    terminal.value = null;
  }

  const bringUp = (): Promise<unknown> =>
    act('up', async (id) => {
      const r = await useApi().call('lab.up', { id });
      patchSummary(id, { up: true });
      await syncProgress(id);
      return r;
    }, (r) => String(r.created.length));

  const bringDown = (): Promise<unknown> =>
    act('down', async (id) => {
      await closeLabTerminals();
      const r = await useApi().call('lab.down', { id });
      patchSummary(id, { up: false });
      check.value = null;
      hint.value = null;
      solved.value = null;
      return r;
    }, (r) => String(r.removed.length));

  const reset = (): Promise<unknown> =>
    act('reset', async (id) => {
      await closeLabTerminals();
      await useApi().call('lab.reset', { id });
      patchSummary(id, { up: true });
      await syncProgress(id);
      check.value = null;
      hint.value = null;
      solved.value = null;
      step.value = 1;
    }, '');

  /** Checks the shown step (or, with `all`, every step in order up to the first unmet one). */
  const runCheck = (all = false): Promise<unknown> =>
    act('check', async (id) => {
      const n = all ? null : step.value;
      const result = await useApi().call('lab.check', n === null ? { id } : { id, step: n });
      check.value = { step: n, result };
      hint.value = null;
      await syncProgress(id);
      return result;
    });

  const getHint = (): Promise<unknown> =>
    act('hint', async (id) => {
      hint.value = await useApi().call('lab.hint', { id, step: step.value });
      await syncProgress(id);
    });

  /** Applies the shown step's reference solution (the panel confirms first). */
  const solve = (): Promise<unknown> =>
    act('solve', async (id) => {
      solved.value = await useApi().call('lab.solve', { id, step: step.value });
      check.value = null;
      hint.value = null;
      await syncProgress(id);
    }, '');

  /** The lab's reference solution as a shell script, handed to `save` (the panel downloads it). */
  const exportScript = (save: (name: string, script: string) => void): Promise<unknown> =>
    act('export', async (id) => {
      const r = await useApi().call('lab.export', { id });
      save(`nslab-lab-${id}.sh`, r.script);
    }, '');

  /** A live terminal on `target`: the one already open there, else a new one (shown in the lab view). */
  async function terminalFor(target: PtyTarget): Promise<string> {
    const terminals = useTerminalsStore();
    const ui = useUiStore();
    const existing = terminals.tabs.find((t) => !t.exited && sameTarget(t.target, target));
    if (existing) return existing.id;
    const here = ui.panel;
    const id = await terminals.open(target);
    // The terminals store shows its own panel after opening; the lab's terminal lives in the lab view.
    ui.open(here);
    if (!id) throw terminals.error ?? toNslabError(new Error('the terminal did not open'));
    return id;
  }

  /** Opens (or shows) a terminal on one of the lab's nodes, or the host. */
  const openTerminal = (target: PtyTarget): Promise<string | undefined> =>
    act('terminal', async () => {
      const id = await terminalFor(target);
      terminal.value = id;
      return id;
    });

  /** Types a step's command into a terminal on its node and presses Enter. */
  const runCommand = (c: LabCommand): Promise<string | undefined> =>
    act('terminal', async () => {
      const id = await terminalFor(commandTarget(c));
      terminal.value = id;
      useTerminalsStore().send(id, `${c.cmd}\r`);
      return id;
    });

  return {
    labs,
    loading,
    loaded,
    error,
    topic,
    openId,
    detail,
    detailLoading,
    detailError,
    step,
    check,
    hint,
    solved,
    busy,
    errors,
    done,
    terminal,
    finished,
    filtered,
    lab,
    summary,
    up,
    progress,
    currentStep,
    nodes,
    passed,
    refresh,
    start,
    dispose,
    setTopic,
    open,
    close,
    load,
    selectStep,
    bringUp,
    bringDown,
    reset,
    runCheck,
    getHint,
    solve,
    exportScript,
    openTerminal,
    runCommand,
  };
});
