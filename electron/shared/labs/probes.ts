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
/** A cgroup the lab made, relative to the lab's own cgroup (`nslab-lab-<id>/…`). */
export const LabCgroup = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, { error: 'a lab cgroup is a short lowercase name' });
export const CgroupFile = z.string().regex(/^[a-z_]+\.[a-z_.]+$/, { error: 'a cgroup file looks like memory.max or cpu.weight' });

const base = { id: ProbeId, label: z.string().max(200).optional() };

export const Probe = z.discriminatedUnion(
  'probe',
  [
    z.strictObject({ ...base, probe: z.literal('ping'), from: NodeName, to: IpAddress, count: z.number().int().min(1).max(5).default(1), ttl: z.number().int().min(1).max(64).optional(), expect: z.enum(['reachable', 'unreachable']).default('reachable') }),
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
    z.strictObject({ ...base, probe: z.literal('cgroup-value'), cgroup: LabCgroup, file: CgroupFile, equals: z.string().max(200).optional(), atLeast: z.number().optional(), atMost: z.number().optional() }),
    z.strictObject({ ...base, probe: z.literal('oom-killed'), cgroup: LabCgroup, expect: z.boolean().default(true) }),
    z.strictObject({ ...base, probe: z.literal('cpu-ratio'), cgroups: z.tuple([LabCgroup, LabCgroup]), ratio: z.number().positive(), tolerance: z.number().positive().max(1).default(0.25) }),
    /** A file under /proc/sys or /sys (read inside a node when `node` is given). */
    z.strictObject({ ...base, probe: z.literal('file'), node: NodeName.optional(), path: z.string().regex(/^\/(proc\/sys|sys)\/[A-Za-z0-9_./-]+$/, { error: 'a lab may read files under /proc/sys or /sys' }).refine((p) => !p.includes('..'), { error: "a path must not contain '..'" }), contains: z.string().max(200).optional(), equals: z.string().max(200).optional() }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? `unknown probe; expected one of ping, tcp, udp, link, addr, route, bridge-port, sysctl, iptables-policy, iptables-rule, iptables-counter, conntrack, cgroup-value, oom-killed, cpu-ratio, file` : undefined) },
);
export type Probe = z.infer<typeof Probe>;
export type ProbeKind = Probe['probe'];

/** The nodes a probe runs in or reads, and the address it sends traffic to. */
export function probeNodes(p: Probe): string[] {
  if ('from' in p) return [p.from];
  if ('node' in p && p.node !== undefined) return [p.node];
  return [];
}
export const probeTarget = (p: Probe): string | undefined => ('to' in p && (p.probe === 'ping' || p.probe === 'tcp' || p.probe === 'udp') ? p.to : undefined);
export const probeCgroups = (p: Probe): string[] => ('cgroups' in p ? [...p.cgroups] : 'cgroup' in p ? [p.cgroup] : []);
