// The lab runner: up, check, hint, solve, reset, down. The topology goes through the topology engine (so
// the ledger records it and the Topology panel shows it); firewall rules are recorded as the lab's own.
import { stringify } from 'yaml';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult, ProbeResult, Result, StepResult } from '../../shared/contract/index.js';
import { hostOnlyReason, labCgroupName, labContainerName, labOwner, type LabHint, type LabProbe, type LabSpec, type LabStep } from '../../shared/labs/index.js';
import { loadRecord } from '../container/store.js';
import { replaceLabContainer } from './container-probes.js';
import { cgroupDriverFor } from '../cgroup/service.js';
import { machineBackend } from '../cgroup/detect.js';
import { NslabError } from '../../shared/errors.js';
import type { HelperContext } from '../context.js';
import { diagnosisHint } from '../why/explain.js';
import { onActivity } from '../exec/run.js';
import { removeObjects } from '../ledger/gc.js';
import { applyTopology, destroyTopology } from '../topology/engine.js';
import { dockernetUp } from '../dockernet/service.js';
import { planTopology } from '../topology/plan.js';
import { NETNS_RUN_DIR } from '../net/snapshot.js';
import { applyAction } from './actions.js';
import { findLab } from './catalogue.js';
import { runProbe } from './probes.js';
import { beginRun, ProgressStore, recordCheck } from './progress.js';

export const topologyName = (lab: LabSpec): string | null => lab.topology?.name ?? null;

/** The lab's groups as they are named in nslab/. */
export const labCgroups = (lab: LabSpec): string[] => (lab.cgroups ?? []).map((c) => labCgroupName(lab.id, c.name));

/**
 * Up while what `up` built is there: the topology is applied and each of its namespaces is still recorded and
 * present (gc or crash recovery may have removed them), and every group exists.
 */
export function isUp(ctx: HelperContext, lab: LabSpec): boolean {
  const topo = topologyName(lab);
  if (topo !== null && ctx.topologies.load(topo) === null) return false;
  if (lab.topology) {
    const namespaces = planTopology(lab.topology).namespaces;
    if (!namespaces.every((ns) => ctx.ledger.has({ kind: 'netns', netns: null, name: ns }) && existsSync(join(NETNS_RUN_DIR, ns)))) return false;
  }
  const groups = labCgroups(lab);
  if (groups.length) {
    const backend = machineBackend().backend;
    if (!backend || !groups.every((g) => backend.exists(g))) return false;
  }
  const containers = (lab.containers ?? []).map((c) => labContainerName(lab.id, c.name));
  if (!containers.every((c) => loadRecord(ctx.stateDir, c))) return false;
  return topo !== null || groups.length > 0 || containers.length > 0;
}

/** Makes the lab's groups with their starting limits, recorded in the ledger as the lab's own. */
async function createCgroups(ctx: HelperContext, lab: LabSpec): Promise<string[]> {
  if (!lab.cgroups?.length) return [];
  const driver = cgroupDriverFor(ctx);
  if (!driver) throw new NslabError('unsupported-kernel', `lab ${lab.id} needs cgroups, and no cgroup hierarchy is mounted`);
  const created: string[] = [];
  for (const c of lab.cgroups) {
    const info = await driver.create(labCgroupName(lab.id, c.name), c.limits, labOwner(lab.id));
    created.push(`cgroup ${info.path}`);
  }
  return created;
}

function requireUp(ctx: HelperContext, lab: LabSpec): void {
  if (!isUp(ctx, lab)) throw new NslabError('not-found', `lab ${lab.id} is not up: run \`nslab lab up ${lab.id}\` first`, { field: 'id' });
}

/** Steps by 1-based number; a number past the end names the field. */
function selectSteps(lab: LabSpec, step: number | undefined): { n: number; step: LabStep }[] {
  const all = lab.steps.map((s, i) => ({ n: i + 1, step: s }));
  if (step === undefined) return all;
  const one = all[step - 1];
  if (!one) throw new NslabError('invalid-params', `lab ${lab.id} has ${lab.steps.length} steps; there is no step ${step}`, { field: 'step' });
  return [one];
}

export async function labUp(ctx: HelperContext, id: string): Promise<Result<'lab.up'>> {
  const started = performance.now();
  const { lab, file } = findLab(id);
  const hostOnly = hostOnlyReason(lab);
  if (hostOnly && ctx.mode === 'sandbox') throw new NslabError('permission-denied', `lab ${id} needs host mode: ${hostOnly.reason}. Run it with sudo (host mode); the network labs work in sandbox mode`, { field: 'id' });
  // Up again on a running lab keeps its run; anything else begins one with nothing passed.
  const continuing = isUp(ctx, lab);
  let created: string[] = [];
  if (lab.dockernet) created = (await dockernetUp(ctx, lab.dockernet)).created;
  else if (lab.topology) created = (await applyTopology(ctx, stringify(lab.topology), file)).created;
  try {
    // Idempotent: the lab's own rules go before the starting state is applied again.
    const leftover = await removeObjects(ctx.ledger, ctx.drivers, ctx.ledger.objects((o) => o.owner === labOwner(lab.id)));
    const stuck = leftover.failed.filter((f) => f.object.kind === 'cgroup');
    if (stuck.length) throw new NslabError('busy', `could not remove the lab's groups from before: ${stuck.map((f) => f.message).join('; ')}`, { failed: stuck });
    created.push(...(await createCgroups(ctx, lab)));
    for (const c of lab.containers ?? []) created.push(await replaceLabContainer(ctx, lab, c));
    for (const action of lab.setup) await applyAction(ctx, lab, action);
  } catch (err) {
    await labDown(ctx, id).catch(() => undefined);
    throw err;
  }
  new ProgressStore(ctx.stateDir).update(lab.id, (p) => (continuing && p.startedAt ? p : beginRun(p, new Date().toISOString())));
  return { id: lab.id, topology: topologyName(lab), created, ms: Math.round(performance.now() - started) };
}

export async function labDown(ctx: HelperContext, id: string): Promise<Result<'lab.down'>> {
  const { lab } = findLab(id);
  const removed: string[] = [];
  const rules = await removeObjects(ctx.ledger, ctx.drivers, ctx.ledger.objects((o) => o.owner === labOwner(lab.id)));
  removed.push(...rules.deleted.map((o) => (o.kind === 'cgroup' ? `cgroup ${o.name}` : o.kind === 'container' ? `container ${o.name}` : `rules ${o.name} in ${o.netns}`)));
  const topo = topologyName(lab);
  if (topo !== null && (ctx.topologies.load(topo) !== null || ctx.ledger.objects((o) => o.owner === `topology:${topo}`).length)) {
    removed.push(...(await destroyTopology(ctx, topo)).removed);
  }
  if (rules.failed.length) throw new NslabError('busy', `could not remove ${rules.failed.map((f) => f.message).join('; ')}`, { failed: rules.failed });
  return { id: lab.id, removed };
}

export async function labReset(ctx: HelperContext, id: string): Promise<Result<'lab.reset'>> {
  // Down first, so the `up` after it begins a fresh run (the history of finished runs stays). It works on a
  // stopped lab too: that just starts it from its starting state.
  const down = await labDown(ctx, id);
  const up = await labUp(ctx, id);
  return { id, removed: down.removed, created: up.created };
}

const firstFailure = (steps: StepResult[]): { step: StepResult; probe: ProbeResult } | null => {
  for (const step of steps) {
    const probe = step.probes.find((p) => !p.ok);
    if (probe) return { step, probe };
  }
  return null;
};

async function checkStep(ctx: HelperContext, lab: LabSpec, n: number, step: LabStep): Promise<StepResult> {
  const probes: ProbeResult[] = [];
  // In order: a ping first makes the traffic the counter probes after it read.
  for (const p of step.check) probes.push(await runProbe(lab, p as LabProbe, ctx));
  return { step: n, id: step.id, title: step.title, ok: probes.every((p) => p.ok), probes };
}

export async function labCheck(ctx: HelperContext, id: string, step?: number): Promise<CheckResult> {
  const { lab } = findLab(id);
  requireUp(ctx, lab);
  const steps: StepResult[] = [];
  // Without a step: every step in order, stopping at the first unmet one (later steps build on it).
  for (const { n, step: s } of selectSteps(lab, step)) {
    const result = await checkStep(ctx, lab, n, s);
    steps.push(result);
    if (!result.ok) break;
  }
  const failure = firstFailure(steps);
  const progress = new ProgressStore(ctx.stateDir);
  progress.update(lab.id, (p) => recordCheck(p, lab.steps.map((s) => s.id), steps, new Date().toISOString()));
  const message = failure
    ? `step ${failure.step.step} (${failure.step.id}): ${failure.probe.label}: expected ${failure.probe.expected}; observed ${failure.probe.observed} — look with: ${failure.probe.where}`
    : null;
  return { id: lab.id, ok: failure === null, steps, message };
}

/** The hint for the failed probe: one matching what it observed, else one for the probe, else the step's. */
export function pickHint(hints: LabHint[], probe: ProbeResult | null): LabHint | null {
  if (probe) {
    const forProbe = hints.filter((h) => h.probe === probe.id);
    const byObserved = forProbe.find((h) => h.observed !== undefined && new RegExp(h.observed, 'i').test(probe.observed));
    if (byObserved) return byObserved;
    const plain = forProbe.find((h) => h.observed === undefined);
    if (plain) return plain;
    const general = hints.find((h) => h.probe === undefined && (h.observed === undefined || new RegExp(h.observed, 'i').test(probe.observed)));
    if (general) return general;
  }
  return hints.find((h) => h.probe === undefined && h.observed === undefined) ?? null;
}

export async function labHint(ctx: HelperContext, id: string, step?: number): Promise<Result<'lab.hint'>> {
  const { lab } = findLab(id);
  const result = await labCheck(ctx, id, step);
  const target = result.steps.find((s) => !s.ok) ?? result.steps[result.steps.length - 1]!;
  const probe = target.probes.find((p) => !p.ok) ?? null;
  const hint = pickHint(lab.steps[target.step - 1]!.hints, probe);
  new ProgressStore(ctx.stateDir).update(lab.id, (p) => ({ ...p, hints: p.hints + 1 }));
  // a failed reachability check: the diagnoser says what is wrong on this kernel, before the lab's own text
  const spec = probe ? lab.steps[target.step - 1]!.check.find((p) => p.id === probe.id) : undefined;
  const diagnosed =
    spec && (spec.probe === 'ping' || spec.probe === 'tcp') && spec.expect === 'reachable'
      ? await diagnosisHint(ctx, { from: spec.from, to: spec.to, ...(spec.probe === 'tcp' ? { port: spec.port } : {}) })
      : null;
  const text = diagnosed ? { en: hint ? `${diagnosed.en}\n\n${hint.text.en}` : diagnosed.en, ko: hint ? `${diagnosed.ko}\n\n${hint.text.ko}` : diagnosed.ko } : (hint?.text ?? null);
  return { id: lab.id, step: target.step, stepId: target.id, probe, hint: text };
}

export async function labSolve(ctx: HelperContext, id: string, step?: number): Promise<Result<'lab.solve'>> {
  const { lab } = findLab(id);
  requireUp(ctx, lab);
  const out: Result<'lab.solve'>['steps'] = [];
  for (const { n, step: s } of selectSteps(lab, step)) {
    const shell: string[] = [];
    // What ran, as a person would type it: the same lines the activity log shows.
    const stop = onActivity((e) => shell.push(...e.shell));
    try {
      for (const action of s.solve) await applyAction(ctx, lab, action);
    } finally {
      stop();
    }
    out.push({ step: n, id: s.id, shell });
  }
  const solved = out.map((s) => s.id);
  new ProgressStore(ctx.stateDir).update(lab.id, (p) => ({ ...p, solved: [...new Set([...p.solved, ...solved])] }));
  return { id: lab.id, steps: out };
}
