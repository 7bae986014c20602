// Guided labs: list, build, check against the learner's kernel, hint, solve, reset, tear down, export.
import { z } from 'zod';
import { LabId, type LabSpec } from '../labs/schema.js';
import { Text } from '../labs/text.js';
import { defineMethods } from './define.js';

const Step = z.number().int().min(1, { error: 'steps are numbered from 1' }).max(100);
const IdParams = z.strictObject({ id: LabId });
const StepParams = z.strictObject({ id: LabId, step: Step.optional() });

export const ProbeResult = z.object({
  /** The probe's id in its step (`0`, `1`… when the lab gives none). */
  id: z.string(),
  probe: z.string(),
  label: z.string(),
  ok: z.boolean(),
  expected: z.string(),
  observed: z.string(),
  /** The command a learner types to look for themselves. */
  where: z.string(),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

export const StepResult = z.object({
  step: z.number(),
  id: z.string(),
  title: Text,
  ok: z.boolean(),
  probes: z.array(ProbeResult),
});
export type StepResult = z.infer<typeof StepResult>;

export const CheckResult = z.object({
  id: z.string(),
  ok: z.boolean(),
  steps: z.array(StepResult),
  /** The first unmet probe, as one line: `step 2 (fix): ping pf-red → 10.0.0.2: expected …, observed …`. */
  message: z.string().nullable(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const LabCompletion = z.object({
  /** When every step passed, in that run. */
  at: z.string(),
  /** When that run began (`lab up`). */
  startedAt: z.string().nullable(),
  hints: z.number(),
  /** Steps whose reference solution was applied rather than typed. */
  solved: z.number(),
});
export type LabCompletion = z.infer<typeof LabCompletion>;

/**
 * One lab's progress: the current run (since the `lab up` that built what is there now) and the history of
 * finished runs. A fresh `up` starts a run with nothing passed; the history stays.
 */
export const LabProgress = z.object({
  /** When the current run began; null before the first `up`. */
  startedAt: z.string().nullable(),
  /** Steps passed at their last check in this run. */
  passed: z.array(z.string()),
  hints: z.number(),
  solved: z.array(z.string()),
  /** When this run completed; null while it has not. */
  completedAt: z.string().nullable(),
  /** Finished runs, oldest first. */
  completions: z.array(LabCompletion),
});
export type LabProgress = z.infer<typeof LabProgress>;

export const LabHostOnly = z.object({ needs: z.enum(['containers', 'cgroups']), reason: z.string() });

export const LabSummary = z.object({
  id: z.string(),
  title: Text,
  summary: Text,
  level: z.string(),
  minutes: z.number(),
  /** Place in the learning order; the list comes sorted by it. */
  order: z.number(),
  /** Labs to do first. */
  requires: z.array(z.string()),
  topics: z.array(z.string()),
  steps: z.number(),
  file: z.string(),
  /** Its topology is built (`nslab lab up`). */
  up: z.boolean(),
  progress: LabProgress,
  /** Present when the lab needs host mode (root): what it needs that sandbox mode lacks, and why. */
  hostOnly: LabHostOnly.optional(),
});
export type LabSummary = z.infer<typeof LabSummary>;

export const labs = defineMethods({
  'lab.list': {
    summary: 'The shipped labs with their progress.',
    renderer: true,
    params: z.strictObject({}),
    result: z.object({ labs: z.array(LabSummary) }),
  },
  'lab.show': {
    summary: 'One lab in full: text, steps, commands, its topology.',
    renderer: true,
    params: IdParams,
    result: z.object({ lab: z.custom<LabSpec>((v) => typeof v === 'object' && v !== null), file: z.string(), up: z.boolean(), progress: LabProgress, hostOnly: LabHostOnly.optional() }),
  },
  'lab.up': {
    summary: "Build a lab's topology and starting state (recorded in the ledger).",
    renderer: true,
    params: IdParams,
    result: z.object({ id: z.string(), topology: z.string().nullable(), created: z.array(z.string()), ms: z.number() }),
  },
  'lab.check': {
    summary: "Check one step (or every step in order) against the kernel: each probe's expected vs observed.",
    renderer: true,
    params: StepParams,
    result: CheckResult,
  },
  'lab.hint': {
    summary: 'The hint for the first unmet probe of a step (or of the first unfinished step).',
    renderer: true,
    params: StepParams,
    result: z.object({ id: z.string(), step: z.number(), stepId: z.string(), probe: ProbeResult.nullable(), hint: Text.nullable() }),
  },
  'lab.solve': {
    summary: "Apply a step's (or every step's) reference solution through the helper's own methods.",
    renderer: true,
    params: StepParams,
    result: z.object({ id: z.string(), steps: z.array(z.object({ step: z.number(), id: z.string(), shell: z.array(z.string()) })) }),
  },
  'lab.reset': {
    summary: 'Tear the lab down and build it again from its starting state; progress is cleared.',
    renderer: true,
    params: IdParams,
    result: z.object({ id: z.string(), removed: z.array(z.string()), created: z.array(z.string()) }),
  },
  'lab.down': {
    summary: 'Remove exactly what the lab made: its namespaces, links and firewall rules.',
    renderer: true,
    params: IdParams,
    result: z.object({ id: z.string(), removed: z.array(z.string()) }),
  },
  'lab.export': {
    summary: "The lab's reference solution as a runnable shell script.",
    renderer: true,
    params: StepParams,
    result: z.object({ id: z.string(), script: z.string() }),
  },
  'lab.progress': {
    summary: "This user's progress in every lab (or one).",
    renderer: true,
    params: z.strictObject({ id: LabId.optional() }),
    result: z.object({ user: z.string(), labs: z.record(z.string(), LabProgress) }),
  },
});
