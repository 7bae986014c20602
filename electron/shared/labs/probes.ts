// Declarative probes a lab step is checked with. No shell strings: each probe names what to look at, the
// helper decides how to look, and every probe reports what it expected and what it saw.
import { z } from 'zod';
import { Cidr, IfName, IpAddress, NodeName, RouteDestination } from '../names.js';

/** An id a hint can refer to; defaults to the probe's position in the step (`0`, `1`, …). */
const ProbeId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'a probe id is lowercase letters, digits and -' }).optional();

export const IPTABLES_TABLES = ['filter', 'nat', 'mangle', 'raw', 'security'] as const;
export const IptablesTable = z.enum(IPTABLES_TABLES, { error: `table must be one of ${IPTABLES_TABLES.join(', ')}` });
/** A built-in chain or a user chain: iptables' own character set, never an option. */
export const ChainName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,28}$/, { error: 'a chain name is letters, digits, _ and -' });
/** One word of an iptables rule (`-p`, `icmp`, `--physdev-is-bridged`): no spaces, quotes or shell characters. */
export const RuleWord = z.string().regex(/^[A-Za-z0-9_.:/,!=+-]+$/, { error: "a rule word may contain only letters, digits and _ . : / , ! = + -" });
/** sysctls a lab may read or set inside its own nodes: networking only, never the host's. */
export const SysctlName = z.string().regex(/^net\.(ipv4|ipv6|bridge|netfilter|core)\.[A-Za-z0-9_.-]+$/, { error: 'a lab sysctl is a net.ipv4/ipv6/bridge/netfilter/core key, e.g. net.bridge.bridge-nf-call-iptables' });
/**
 * What a conntrack *entry* can show: NEW = no reply seen yet ([UNREPLIED]), ESTABLISHED = a reply was seen,
 * or a flag/TCP state as printed. RELATED and INVALID are states of *packets*, not entries: observe them with
 * `iptables-counter` on a `-m conntrack --ctstate RELATED` rule.
 */
export const CONNTRACK_STATES = ['NEW', 'ESTABLISHED', 'UNREPLIED', 'ASSURED', 'SYN_SENT', 'SYN_RECV', 'TIME_WAIT', 'CLOSE', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK'] as const;
/** A table for `fw-counter`: an iptables table or an nft table's name; a chain likewise (nft chains are lowercase). */
const FwTableOrNft = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, { error: 'table is an iptables table (filter, nat, mangle, raw, security) or an nft table name' });
const FwChainOrNft = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, { error: 'a chain name is letters, digits, _ and -' });
/** What became of a traced packet, and the hooks it can meet (as `nslab trace` reports them). */
export const TRACE_FATES = ['delivered', 'dropped', 'not-routed', 'left', 'not-seen'] as const;
export const TRACE_HOOKS = ['prerouting', 'input', 'forward', 'output', 'postrouting'] as const;
/** A cgroup the lab made, by its short name; it lives at `nslab/<lab id>.<name>` (see labCgroupName). */
export const LabCgroup = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,22}$/, { error: 'a lab cgroup is a short lowercase name (letters, digits, _ and -, at most 23)' });
/** What `cgroup-value` reads: a limit or a statistic as the v1↔v2 vocabulary names it. */
export const CGROUP_VALUES = [
  'memory', 'memory-swap', 'cpus', 'cpu-period', 'cpu-quota', 'cpu-shares', 'cpuset-cpus', 'cpuset-mems', 'pids-limit', 'cpu-rt-period', 'cpu-rt-runtime',
  'memory.usage', 'memory.limit', 'memory.maxUsage', 'memory.failcnt', 'memory.oomEvents', 'memory.oomKills',
  'cpu.usage', 'cpu.user', 'cpu.system', 'cpu.nrPeriods', 'cpu.nrThrottled', 'cpu.throttled', 'pids.current', 'pids.max',
] as const;
export const CgroupValueName = z.enum(CGROUP_VALUES, { error: `value must be a limit or statistic of the vocabulary (nslab cgroup vocab): ${CGROUP_VALUES.join(', ')}` });
/** A bound: a number, or a size such as 20m for the byte-valued ones. */
const Bound = z.union([z.number(), z.string().regex(/^[0-9]+(\.[0-9]+)?[kmgKMG]?$/, { error: 'a bound is a number or a size such as 20m' })]);
const Window = z.number().int().min(500, { error: 'a measuring window is at least 500 ms' }).max(5000, { error: 'a measuring window is at most 5000 ms (labs stay short)' }).default(2000);

const base = { id: ProbeId, label: z.string().max(200).optional() };

/** A container the lab made, by its short name; it is the container `<lab id>-<name>` (see labContainerName). */
export const LabContainer = z.string().regex(/^[a-z0-9][a-z0-9-]{0,15}$/, { error: 'a lab container is a short lowercase name (letters, digits and -, at most 16)' });
/** A word of a command run inside a lab's container (argv, never a shell string). */
const ExecWord = z.string().regex(/^[A-Za-z0-9_.:/,=+@%-]+$/, { error: 'a command word may contain only letters, digits and _ . : / , = + @ % -' });

/** Every kind of lab check, one schema each (the `probe` word tells them apart). */
const PROBE_OPTIONS = [
  z.strictObject({ ...base, probe: z.literal('ping'), from: NodeName, to: IpAddress, count: z.number().int().min(1).max(5).default(1), ttl: z.number().int().min(1).max(64).optional(), expect: z.enum(['reachable', 'unreachable']).default('reachable'),
    /** Payload bytes (ping -s) and Don't Fragment (ping -M do): a path-MTU check. */
    size: z.number().int().min(0).max(9000).optional(), dontFragment: z.boolean().optional() }),
  // An HTTP GET (curl) whose body must contain `contains`: a published port answered by the right program.
  z.strictObject({ ...base, probe: z.literal('http'), from: NodeName, to: IpAddress, port: z.number().int().min(1).max(65535).default(80), contains: z.string().max(200).default(''), expect: z.enum(['reachable', 'unreachable']).default('reachable') }),
  z.strictObject({ ...base, probe: z.literal('tcp'), from: NodeName, to: IpAddress, port: z.number().int().min(1).max(65535), expect: z.enum(['reachable', 'unreachable']).default('reachable') }),
  /** One UDP datagram to a closed port (busybox traceroute): the answer is an ICMP port-unreachable. */
  z.strictObject({ ...base, probe: z.literal('udp'), from: NodeName, to: IpAddress, port: z.number().int().min(1).max(65535).default(33434), expect: z.enum(['answered', 'silent']).default('answered') }),
  z.strictObject({ ...base, probe: z.literal('link'), node: NodeName, name: IfName, present: z.boolean().default(true), up: z.boolean().optional() }),
  z.strictObject({ ...base, probe: z.literal('addr'), node: NodeName, dev: IfName, address: Cidr, present: z.boolean().default(true) }),
  z.strictObject({ ...base, probe: z.literal('route'), node: NodeName, to: RouteDestination, via: IpAddress.optional(), dev: IfName.optional(), present: z.boolean().default(true) }),
  z.strictObject({ ...base, probe: z.literal('bridge-port'), node: NodeName, bridge: IfName, port: IfName, present: z.boolean().default(true) }),
  z.strictObject({ ...base, probe: z.literal('sysctl'), node: NodeName, key: SysctlName, equals: z.string().regex(/^[0-9A-Za-z_ -]+$/) }),
  z.strictObject({ ...base, probe: z.literal('iptables-policy'), node: NodeName, table: IptablesTable.default('filter'), chain: ChainName, equals: z.enum(['ACCEPT', 'DROP']) }),
  /** A rule in `chain` containing every word of `match` in order (any rule: the learner's own count too). */
  z.strictObject({ ...base, probe: z.literal('iptables-rule'), node: NodeName, table: IptablesTable.default('filter'), chain: ChainName, match: z.array(RuleWord).min(1), present: z.boolean().default(true) }),
  /** The packet counter of the matching rules (summed) is at least `atLeast` (rules start at 0 at up/reset). */
  z.strictObject({ ...base, probe: z.literal('iptables-counter'), node: NodeName, table: IptablesTable.default('filter'), chain: ChainName, match: z.array(RuleWord).default([]), atLeast: z.number().int().min(0).default(1), atMost: z.number().int().min(0).optional() }),
  z.strictObject({ ...base, probe: z.literal('conntrack'), node: NodeName, protocol: z.enum(['icmp', 'tcp', 'udp']).optional(), src: IpAddress.optional(), dst: IpAddress.optional(), state: z.enum(CONNTRACK_STATES).optional(), natted: z.boolean().optional(), present: z.boolean().default(true) }),
  /**
   * Counters read through the firewall reader (what `nslab fw show` and the Firewall panel show): the
   * packets of the rules in `table`/`chain` containing every word of `match` in order (iptables) or whose
   * nft text contains `nft`, or with `policy` the packets the chain's policy decided. iptables and nft
   * tables alike (the table is `filter`, `nat`… or an nft table's name).
   */
  z.strictObject({ ...base, probe: z.literal('fw-counter'), node: NodeName, table: FwTableOrNft.default('filter'), chain: FwChainOrNft, match: z.array(RuleWord).default([]), nft: z.string().regex(/^[A-Za-z0-9_.:/, !=+-]{1,200}$/, { error: 'nft: a fragment of the rule text (letters, digits, spaces and _ . : / , ! = + -)' }).optional(), policy: z.boolean().default(false), atLeast: z.number().int().min(0).default(1), atMost: z.number().int().min(0).optional() }),
  /**
   * A packet walk (`nslab trace`): one probe from `from` to `to`, traced through every hook of every
   * namespace it crosses. The request's fate is `fate` (any when omitted); `through` lists (node, hook) pairs it must pass;
   * `at` is where that fate happened (the last hook it reached), `policy` whether a chain's policy decided it.
   */
  z.strictObject({
    ...base,
    probe: z.literal('trace'),
    from: NodeName,
    to: IpAddress,
    proto: z.enum(['icmp', 'tcp', 'udp']).default('icmp'),
    dport: z.number().int().min(1).max(65535).optional(),
    fate: z.enum(TRACE_FATES).optional(),
    through: z.array(z.strictObject({ node: NodeName, hook: z.enum(TRACE_HOOKS) })).max(20).default([]),
    at: z.strictObject({ node: NodeName, hook: z.enum(TRACE_HOOKS), policy: z.boolean().optional() }).optional(),
  }),
  /** A limit or statistic of a lab group: equal to a value (in the words `nslab cgroup set` takes), or within bounds. */
  z.strictObject({ ...base, probe: z.literal('cgroup-value'), cgroup: LabCgroup, value: CgroupValueName, equals: z.union([z.string().max(200), z.number()]).optional(), atLeast: Bound.optional(), atMost: Bound.optional() }),
  /** The kernel's OOM-kill counter of the group (v1 memory.oom_control oom_kill, v2 memory.events oom_kill), never an exit code. */
  z.strictObject({ ...base, probe: z.literal('oom-killed'), cgroup: LabCgroup, expect: z.boolean().default(true) }),
  /** CPU time of the first group over the second's, measured over a window: within ratio × (1 ± tolerance). */
  z.strictObject({ ...base, probe: z.literal('cpu-ratio'), cgroups: z.tuple([LabCgroup, LabCgroup]), ratio: z.number().positive(), tolerance: z.number().positive().max(1).default(0.25), windowMs: Window }),
  /**
   * CPUs a group uses, measured over a window (1.0 = one CPU's worth of time): within bounds; `onCpus`: at
   * least 97 % of it on these CPUs; `throttled`: the CFS throttle counter went up during the window.
   */
  z.strictObject({ ...base, probe: z.literal('cpu-usage'), cgroup: LabCgroup, atLeast: z.number().min(0).default(0.05), atMost: z.number().positive().optional(), onCpus: z.string().regex(/^[0-9]+([-,][0-9]+)*$/, { error: 'a CPU list such as 1 or 0-1' }).optional(), throttled: z.boolean().optional(), windowMs: Window }),
  /** Processes in a group, optionally only those with a scheduling policy (SCHED_FIFO for real-time). */
  z.strictObject({ ...base, probe: z.literal('cgroup-procs'), cgroup: LabCgroup, atLeast: z.number().int().min(0).default(1), atMost: z.number().int().min(0).optional(), policy: z.enum(['other', 'fifo', 'rr', 'batch', 'idle']).optional() }),
  /** A file under /proc/sys or /sys (read inside a node when `node` is given). */
  z.strictObject({ ...base, probe: z.literal('file'), node: NodeName.optional(), path: z.string().regex(/^\/(proc\/sys|sys)\/[A-Za-z0-9_./-]+$/, { error: 'a lab may read files under /proc/sys or /sys' }).refine((p) => !p.includes('..'), { error: "a path must not contain '..'" }), contains: z.string().max(200).optional(), equals: z.string().max(200).optional() }),
  /** A command inside one of the lab's containers: its exit (0 or not, or a code) and a text its output contains. */
  z.strictObject({ ...base, probe: z.literal('container-exec'), container: LabContainer, argv: z.array(ExecWord).min(1).max(16), succeeds: z.boolean().optional(), exitCode: z.number().int().min(0).max(255).optional(), output: z.string().max(200).optional() }),
  /** One check of the security checklist (nslab audit) on one of the lab's containers. */
  z.strictObject({ ...base, probe: z.literal('audit-check'), container: LabContainer, item: z.string().regex(/^[1-5]-[1-9]$/), check: z.string().regex(/^[a-z0-9-]+$/), expect: z.enum(['pass', 'fail']).default('pass') }),
] as const;

const PROBE_KINDS = PROBE_OPTIONS.map((o) => o.shape.probe.value);
export const Probe = z.discriminatedUnion('probe', PROBE_OPTIONS, {
  error: (issue) => (issue.code === 'invalid_union' ? `unknown probe; expected one of ${PROBE_KINDS.join(', ')}` : undefined),
});
export type Probe = z.infer<typeof Probe>;
export type ProbeKind = Probe['probe'];

/** The nodes a probe runs in or reads, and the address it sends traffic to. */
export function probeNodes(p: Probe): string[] {
  if (p.probe === 'trace') return [...new Set([p.from, ...p.through.map((t) => t.node), ...(p.at ? [p.at.node] : [])])];
  if ('from' in p) return [p.from];
  if ('node' in p && p.node !== undefined) return [p.node];
  return [];
}
export const probeTarget = (p: Probe): string | undefined => ('to' in p && (p.probe === 'ping' || p.probe === 'tcp' || p.probe === 'udp' || p.probe === 'trace' || p.probe === 'http') ? p.to : undefined);
export const probeContainers = (p: Probe): string[] => ('container' in p ? [p.container] : []);
export const probeCgroups = (p: Probe): string[] => ('cgroups' in p ? [...p.cgroups] : 'cgroup' in p ? [p.cgroup] : []);
