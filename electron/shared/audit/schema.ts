// The security checklist as data (like kube-bench): every item of the 2019 SK Infosec container security
// guide (1-1 … 5-3), each with declarative checks (probes with parameters, never shell strings), and the
// report schema the published JSON Schema is generated from.
import { z } from 'zod';
import { CAPABILITIES } from '../container/capabilities.js';

const Text = z.strictObject({ en: z.string().min(1), ko: z.string().min(1) });
const NsType = z.enum(['mnt', 'pid', 'net', 'uts', 'ipc', 'user', 'cgroup']);
const Cap = z.enum(CAPABILITIES);

/** What a check looks at and what it expects. `{state}` in a path is nslab's state directory. */
export const Probe = z.discriminatedUnion('kind', [
  /** A container's own configuration (as nslab built it). */
  z.strictObject({ kind: z.literal('container-userns') }),
  z.strictObject({ kind: z.literal('container-limit'), limit: z.enum(['memory', 'pids-limit', 'cpus']) }),
  z.strictObject({ kind: z.literal('container-read-only') }),
  z.strictObject({ kind: z.literal('container-network'), allowHost: z.boolean().default(false) }),
  z.strictObject({ kind: z.literal('container-separated'), by: z.literal('network') }),
  /** Its PID 1 as the kernel sees it (the isolation view). */
  z.strictObject({ kind: z.literal('process-namespaces'), private: z.array(NsType).min(1) }),
  z.strictObject({ kind: z.literal('process-caps-exclude'), caps: z.array(Cap).min(1) }),
  z.strictObject({ kind: z.literal('process-no-new-privs') }),
  z.strictObject({ kind: z.literal('process-root-unprivileged') }),
  z.strictObject({ kind: z.literal('process-mount-read-only'), target: z.string().startsWith('/') }),
  z.strictObject({ kind: z.literal('process-seccomp') }),
  /** The host and nslab's own state. */
  z.strictObject({ kind: z.literal('file-mode'), path: z.string().min(1), max: z.string().regex(/^0[0-7]{3}$/), missing: z.enum(['pass', 'na', 'fail']).default('na') }),
  z.strictObject({ kind: z.literal('sysctl'), key: z.string().regex(/^[a-z0-9_.]+$/), expect: z.string() }),
  z.strictObject({ kind: z.literal('listen-loopback'), port: z.literal('nslab-serve') }),
  /** A Docker daemon's configuration, read-only; not applicable where there is none. */
  z.strictObject({ kind: z.literal('docker-config'), key: z.string(), expect: z.union([z.boolean(), z.string()]) }),
  z.strictObject({ kind: z.literal('docker-file'), path: z.string().startsWith('/'), expect: z.enum(['present', 'absent']) }),
  z.strictObject({ kind: z.literal('guidance') }),
]);
export type Probe = z.infer<typeof Probe>;

export const Check = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: Text,
  probe: Probe,
  fix: Text,
  /** CIS Docker Benchmark item where one exists (v1.6.0 numbering). */
  cis: z.string().regex(/^\d+(\.\d+)+$/).optional(),
});

export const ITEM_IDS = ['1-1', '1-2', '1-3', '1-4', '1-5', '1-6', '1-7', '1-8', '1-9', '2-1', '2-2', '3-1', '3-2', '3-3', '4-1', '4-2', '4-3', '5-1', '5-2', '5-3'] as const;

export const Catalogue = z
  .strictObject({
    version: z.literal(1),
    source: z.string(),
    items: z.array(z.strictObject({ id: z.enum(ITEM_IDS), title: Text, checks: z.array(Check).min(1) })),
  })
  .superRefine((c, ctx) => {
    const ids = c.items.map((i) => i.id);
    for (const id of ITEM_IDS) if (!ids.includes(id)) ctx.addIssue({ code: 'custom', path: ['items'], message: `item ${id} of the checklist is missing` });
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['items'], message: `item ${dup} appears twice` });
  });
export type Catalogue = z.infer<typeof Catalogue>;

export const AUDIT_STATUSES = ['pass', 'fail', 'na', 'guidance'] as const;
const Status = z.enum(AUDIT_STATUSES);

export const AuditReport = z.object({
  at: z.string(),
  mode: z.enum(['host', 'sandbox']),
  root: z.boolean(),
  targets: z.array(z.string()),
  items: z.array(
    z.object({
      id: z.enum(ITEM_IDS),
      title: Text,
      status: Status,
      automated: z.boolean(),
      results: z.array(
        z.object({
          check: z.string(),
          title: Text,
          /** `host`, `nslab`, `docker` or `container:<name>`. */
          target: z.string(),
          status: Status,
          evidence: z.string(),
          fix: Text,
          cis: z.string().nullable(),
        }),
      ),
    }),
  ),
  summary: z.object({ pass: z.number(), fail: z.number(), na: z.number(), guidance: z.number(), automatedItems: z.number() }),
  /** What this run could not look at (unprivileged: other users' processes, root-only files). */
  unseen: z.array(z.string()),
});
export type AuditReport = z.infer<typeof AuditReport>;
