import { z } from 'zod';
import { defineMethods } from './define.js';
import { EVENT_NAMES, type EventName } from './events.js';

export const LEDGER_KINDS = ['netns', 'link', 'cgroup', 'rule', 'nft-table', 'trace-table', 'container', 'tracefs-instance', 'process', 'cni'] as const;
export const LedgerObject = z.object({
  kind: z.enum(LEDGER_KINDS),
  /** The namespace a link lives in; `null` for the root namespace and for objects outside any. */
  netns: z.string().nullable(),
  name: z.string(),
  /** `topology:<name>`, `lab:<id>`, `manual`… */
  owner: z.string(),
});
export type LedgerObject = z.infer<typeof LedgerObject>;

export const GcReport = z.object({
  dryRun: z.boolean(),
  /** Recorded by nslab, still present: deleted (or, with dryRun, would be). */
  deleted: z.array(LedgerObject),
  /** Recorded, already gone: the record is dropped. */
  forgotten: z.array(LedgerObject),
  /** Carries the nslab- mark but nslab has no record of it: reported, never touched. */
  unknown: z.array(LedgerObject.omit({ owner: true })),
  /** With `adopt`: unrecorded nslab- objects taken into the ledger first (and so collected too). */
  adopted: z.array(LedgerObject),
  failed: z.array(z.object({ object: LedgerObject, message: z.string() })),
});
export type GcReport = z.infer<typeof GcReport>;

export const AdoptReport = z.object({
  dryRun: z.boolean(),
  /** Marked objects nslab had no record of, now recorded with owner `adopted`. */
  adopted: z.array(LedgerObject),
});
export type AdoptReport = z.infer<typeof AdoptReport>;

export const DoctorCheck = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['ok', 'warn', 'missing']),
  /** Essential checks decide the exit code of `nslab doctor`. */
  essential: z.boolean(),
  detail: z.string(),
  reason: z.string().optional(),
  fix: z.string().optional(),
});
export type DoctorCheck = z.infer<typeof DoctorCheck>;

export const CgroupHierarchy = z.object({
  mount: z.string(),
  version: z.enum(['v1', 'v2']),
  controllers: z.array(z.string()),
});

export const DoctorReport = z.object({
  ok: z.boolean(),
  root: z.boolean(),
  mode: z.enum(['host', 'sandbox']),
  kernel: z.string(),
  cgroup: z.object({ layout: z.enum(['v1', 'v2', 'hybrid', 'none']), hierarchies: z.array(CgroupHierarchy) }),
  iptablesBackend: z.enum(['nf_tables', 'legacy']).nullable(),
  linkKinds: z.record(z.string(), z.boolean()),
  tools: z.record(z.string(), z.string().nullable()),
  checks: z.array(DoctorCheck),
});
export type DoctorReport = z.infer<typeof DoctorReport>;

const EventNameSchema = z.enum(EVENT_NAMES as [EventName, ...EventName[]]);

export const system = defineMethods({
  'helper.hello': {
    summary: 'Who the helper is: version, pid, mode.',
    renderer: true,
    params: z.strictObject({}),
    result: z.object({ version: z.string(), pid: z.number(), root: z.boolean(), mode: z.enum(['host', 'sandbox']), stateDir: z.string() }),
  },
  'events.subscribe': {
    summary: 'Receive these events as notifications on this connection.',
    renderer: true,
    subscription: 'add',
    params: z.strictObject({ events: z.array(EventNameSchema).min(1) }),
    result: z.object({ events: z.array(z.string()) }),
  },
  'events.unsubscribe': {
    summary: 'Stop receiving these events.',
    renderer: true,
    subscription: 'remove',
    params: z.strictObject({ events: z.array(EventNameSchema).min(1) }),
    result: z.object({ events: z.array(z.string()) }),
  },
  'ledger.list': {
    summary: 'Every object the ledger says nslab created and has not removed.',
    renderer: false, // no panel shows the ledger; CLI (`nslab rpc`) and tests only
    params: z.strictObject({}),
    result: z.object({ objects: z.array(LedgerObject) }),
  },
  'ledger.gc': {
    summary: 'Delete what nslab created and is still present; report unrecorded nslab- objects.',
    renderer: false, // deletes what every session created, not just this window's: CLI and helper start-up only
    params: z.strictObject({
      dryRun: z.boolean().default(false),
      /** Adopt unrecorded nslab- objects first, so they are collected too. */
      adopt: z.boolean().default(false),
    }),
    result: GcReport,
  },
  'ledger.adopt': {
    summary: 'Take unrecorded nslab- objects (all, or these names) into the ledger, so nslab owns them.',
    renderer: true,
    params: z.strictObject({
      names: z.array(z.string().min(1)).min(1, { error: 'names: list at least one object, or leave names out to adopt all' }).optional(),
      dryRun: z.boolean().default(false),
    }),
    result: AdoptReport,
  },
  'system.doctor': {
    summary: 'What this machine supports and lacks, with reasons and fixes.',
    renderer: true,
    params: z.strictObject({}),
    result: DoctorReport,
  },
});
