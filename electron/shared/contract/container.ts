// Hand-made containers (namespaces + busybox rootfs + pivot_root + cgroup + veth, no runtime) and the
// isolation view of any process. Every name here reaches the kernel only after these schemas.
import { z } from 'zod';
import { LimitsInput } from '../cgroup/limits.js';
import { CAPABILITIES, capabilityName } from '../container/capabilities.js';
import { ID_MAX, idMapProblem } from '../container/idmap.js';
import { Ipv4Cidr, NodeName, IfName } from '../names.js';
import { defineMethods } from './define.js';

/** A container: `nslab-c-<name>` netns, `nslab/c-<name>` cgroup; short enough for both. */
export const ContainerName = z
  .string({ error: 'container name must be a string' })
  .min(1, { error: 'container name must not be empty' })
  .max(32, { error: 'container name must be at most 32 characters' })
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, { error: "container name may contain only lower-case letters, digits, '_', '.' and '-', starting with a letter or digit" });

const CapName = z.string().transform((s, ctx) => {
  const c = capabilityName(s);
  if (!c) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(s)} is not a Linux capability; allowed: ALL or one of ${CAPABILITIES.map((n) => n.toUpperCase()).join(', ')}` });
    return z.NEVER;
  }
  return c;
});

const IdMapLineSchema = z.strictObject({
  inside: z.number().int().min(0).max(ID_MAX - 1),
  outside: z.number().int().min(0).max(ID_MAX - 1),
  count: z.number().int().min(1).max(ID_MAX),
});
export const IdMap = z.array(IdMapLineSchema).superRefine((lines, ctx) => {
  const p = idMapProblem(lines);
  if (p) ctx.addIssue({ code: 'custom', path: [p.index], message: p.rule });
});

/** `none`, a topology node (a veth into it), or `bridge:NODE/BR` (a veth enslaved to bridge BR in NODE). */
export const ContainerNet = z.union([
  z.literal('none'),
  z.strictObject({ node: NodeName, bridge: IfName.optional() }),
]);
export type ContainerNet = z.infer<typeof ContainerNet>;

/** A program inside the container: argv only (resolved in the container's own rootfs). */
const ContainerArgv = z
  .array(z.string().max(4096).refine((w) => !w.includes('\0'), { error: 'an argument must not contain NUL' }), { error: 'argv is a list of words' })
  .min(1, { error: 'give the command to run: -- CMD ARGS…' })
  .max(128);

const RootfsSpec = z.union([
  z.literal('busybox'),
  z.string().regex(/^\/[^\0]*$/, { error: "rootfs is 'busybox' or an absolute path to a directory" }),
]);

export const ContainerRunParams = z.strictObject({
  name: ContainerName.optional(),
  rootfs: RootfsSpec.default('busybox'),
  limits: LimitsInput.default({}),
  net: ContainerNet.default('none'),
  /** The container end's address when it has a veth (eth0). */
  ip: Ipv4Cidr.optional(),
  gateway: z.ipv4().optional(),
  userns: z.boolean().default(false),
  uidMap: IdMap.optional(),
  gidMap: IdMap.optional(),
  hostname: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/, { error: 'hostname: letters, digits, dots and dashes, at most 63' }).optional(),
  capDrop: z.array(CapName).default([]),
  capAdd: z.array(CapName).default([]),
  readOnly: z.boolean().default(false),
  noNewPrivs: z.boolean().default(false),
  argv: ContainerArgv,
  /** Return once it has started (its output goes to its log); otherwise wait and return its output. */
  detach: z.boolean().default(false),
  /** Remove the container once it has exited (only without detach), like `docker run --rm`. */
  remove: z.boolean().default(false),
  timeoutMs: z.number().int().min(100).max(3_600_000).default(300_000),
  owner: z.string().max(128).default('manual'),
});
export type ContainerRunParams = z.output<typeof ContainerRunParams>;

const IdMapOut = z.array(z.object({ inside: z.number(), outside: z.number(), count: z.number() }));
const Exit = z.object({ code: z.number().nullable(), signal: z.string().nullable() });

export const ContainerInfo = z.object({
  name: z.string(),
  state: z.enum(['running', 'exited']),
  /** Host PID of the container's PID 1 (null once it has exited). */
  pid: z.number().nullable(),
  argv: z.array(z.string()),
  rootfs: z.string(),
  hostname: z.string(),
  netns: z.string(),
  cgroup: z.string(),
  net: ContainerNet,
  ip: z.string().nullable(),
  userns: z.object({ uidMap: IdMapOut, gidMap: IdMapOut }).nullable(),
  capabilities: z.array(z.string()),
  readOnly: z.boolean(),
  noNewPrivs: z.boolean(),
  limits: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  owner: z.string(),
  exit: Exit.nullable(),
});
export type ContainerInfo = z.infer<typeof ContainerInfo>;

export const ContainerRunResult = ContainerInfo.extend({
  stdout: z.string(),
  stderr: z.string(),
  oomKilled: z.boolean(),
  /** How long building and starting took, before the program ran (ms). */
  startMs: z.number(),
});

const NsKind = z.enum(['mnt', 'pid', 'net', 'uts', 'ipc', 'user', 'cgroup', 'time']);
export const IsolationView = z.object({
  pid: z.number(),
  command: z.string(),
  /** What "the host" is compared against: PID 1, or the helper where PID 1 cannot be read. */
  hostReference: z.string(),
  namespaces: z.array(z.object({ type: NsKind, inode: z.number(), host: z.number().nullable(), shared: z.boolean() })),
  user: z.object({
    uids: z.array(z.number()),
    gids: z.array(z.number()),
    uidMap: IdMapOut,
    gidMap: IdMapOut,
    /** The host UID this process's root (UID 0 inside) is; null when 0 is not mapped. */
    rootOnHost: z.number().nullable(),
    setgroups: z.string().nullable(),
  }),
  capabilities: z.object({ effective: z.array(z.string()), permitted: z.array(z.string()), inheritable: z.array(z.string()), bounding: z.array(z.string()), ambient: z.array(z.string()) }),
  noNewPrivs: z.boolean(),
  seccomp: z.enum(['disabled', 'strict', 'filter', 'unknown']),
  lsm: z.object({ current: z.string().nullable(), name: z.string().nullable() }),
  cgroups: z.array(z.object({ hierarchy: z.string(), path: z.string(), limits: z.record(z.string(), z.string()) })),
  mounts: z.array(z.object({ target: z.string(), source: z.string(), fstype: z.string(), readOnly: z.boolean(), propagation: z.string(), options: z.string() })),
  network: z.object({
    links: z.array(z.object({ name: z.string(), state: z.string(), addresses: z.array(z.string()) })),
    routes: z.array(z.string()),
  }).nullable(),
  /** What could not be read (a process gone, a file this user may not open). */
  unreadable: z.array(z.string()),
});
export type IsolationView = z.infer<typeof IsolationView>;

const Name = z.strictObject({ name: ContainerName });

export const container = defineMethods({
  'container.run': {
    summary: 'Build and start a container by hand: namespaces, busybox rootfs, pivot_root, /proc, cgroup, veth.',
    renderer: true,
    params: ContainerRunParams,
    result: ContainerRunResult,
  },
  'container.list': {
    summary: 'Every nslab container, running or exited.',
    renderer: true,
    params: z.strictObject({}),
    result: z.object({ containers: z.array(ContainerInfo) }),
  },
  'container.inspect': {
    summary: 'A container’s configuration, state and the commands that built it.',
    renderer: true,
    params: Name,
    result: ContainerInfo.extend({ commands: z.array(z.string()) }),
  },
  'container.exec': {
    summary: 'Run a program inside a running container (same namespaces, cgroup and capabilities).',
    renderer: true,
    params: z.strictObject({ name: ContainerName, argv: ContainerArgv, timeoutMs: z.number().int().min(100).max(3_600_000).default(60_000) }),
    result: z.object({ exit: Exit, stdout: z.string(), stderr: z.string() }),
  },
  'container.stop': {
    summary: 'Stop a container: SIGTERM to its PID 1, SIGKILL to the whole cgroup after the grace period.',
    renderer: true,
    params: z.strictObject({ name: ContainerName, graceMs: z.number().int().min(0).max(60_000).default(2_000) }),
    result: ContainerInfo,
  },
  'container.remove': {
    summary: 'Remove a container and everything built for it (stopping it first with force).',
    renderer: true,
    params: z.strictObject({ name: ContainerName, force: z.boolean().default(false) }),
    result: z.object({ removed: z.string() }),
  },
  'container.export': {
    summary: 'A shell script that builds the same container from nothing.',
    renderer: true,
    params: Name,
    result: z.object({ script: z.string() }),
  },
  'process.inspect': {
    summary: 'What isolates a process: namespaces vs the host, ID maps, capabilities, seccomp, LSM, cgroups, mounts, network.',
    renderer: true,
    params: z.strictObject({ pid: z.number().int().min(1).max(4_194_304) }),
    result: IsolationView,
  },
});
