import { z } from 'zod';
import { TopologyName } from '../names.js';
import { defineMethods } from './define.js';
import { TopologySnapshot } from './snapshot.js';

export const ApplyResult = z.object({
  name: z.string(),
  created: z.array(z.string()),
  /** Steps that found their object already in place (a re-apply). */
  unchanged: z.array(z.string()),
  ms: z.number(),
});

/** One problem in a topology's text, at its 1-based line and column. */
export const TopologyDiagnostic = z.object({ message: z.string(), field: z.string().optional(), line: z.number().optional(), col: z.number().optional() });
export type TopologyDiagnostic = z.infer<typeof TopologyDiagnostic>;

const PreviewEnd = z.object({ node: z.string(), name: z.string(), addresses: z.array(z.string()) });
/** What an apply would build, as the topology's text says it (nothing is read from the kernel). */
export const TopologyPreview = z.object({
  name: z.string(),
  nodes: z.array(z.object({ name: z.string(), netns: z.string(), forwarding: z.boolean(), bridges: z.array(z.string()), routes: z.array(z.string()) })),
  links: z.array(z.object({ a: PreviewEnd, b: PreviewEnd })),
  /** VXLAN tunnel ends: `node`/`name` over underlay `dev` to `remote`. */
  vxlans: z.array(PreviewEnd.extend({ vni: z.number(), remote: z.string(), dstport: z.number(), dev: z.string().optional() })),
});
export type TopologyPreview = z.infer<typeof TopologyPreview>;

export const topology = defineMethods({
  'topology.validate': {
    summary: "Check a topology's YAML text without building it: every error at its line and column, or a preview.",
    renderer: true,
    params: z.strictObject({ yaml: z.string().max(1_000_000, { error: 'yaml must be at most 1,000,000 characters' }) }),
    result: z.object({ valid: z.boolean(), errors: z.array(TopologyDiagnostic), preview: TopologyPreview.nullable() }),
  },
  'topology.apply': {
    summary: 'Build a shipped topology (by name) or one given as YAML text, in one batched pass (idempotent).',
    renderer: true,
    params: z.union(
      [
        /** A shipped topology (resources/topologies/<name>.yaml): what the UI applies; its text stays in the helper. */
        z.strictObject({ builtin: TopologyName }),
        /** A topology file's text, as the CLI reads it (`nslab topo apply FILE`). */
        z.strictObject({
          yaml: z.string().max(1_000_000),
          /** Shown in errors (`file:line`). */
          file: z.string().max(4096).optional(),
        }),
      ],
      { error: "give builtin (the name of a shipped topology, see topology.list) or yaml (a topology's text)" },
    ),
    result: ApplyResult,
  },
  'topology.destroy': {
    summary: 'Remove exactly what a topology created.',
    renderer: true,
    params: z.strictObject({ name: TopologyName }),
    result: z.object({ name: z.string(), removed: z.array(z.string()) }),
  },
  'topology.show': {
    summary: 'Snapshot of one topology, or of every nslab namespace.',
    renderer: true,
    params: z.strictObject({ name: TopologyName.optional() }),
    result: TopologySnapshot,
  },
  'topology.list': {
    summary: 'Applied topologies and the shipped ones.',
    renderer: true,
    params: z.strictObject({}),
    result: z.object({
      applied: z.array(z.object({ name: z.string(), nodes: z.array(z.string()), appliedAt: z.string() })),
      builtin: z.array(z.object({ name: z.string(), file: z.string(), yaml: z.string() })),
    }),
  },
});
