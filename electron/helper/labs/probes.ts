// Runs one declarative probe against the kernel and says what it expected, what it saw, and the command
// a learner types to look themselves. A probe never throws for "not as expected": that is a result.
import { readFile } from 'node:fs/promises';
import type { HelperContext } from '../context.js';
import { auditCheck, containerExec } from './container-probes.js';
import type { ConntrackEntry, ProbeResult } from '../../shared/contract/index.js';
import type { LabProbe, LabSpec } from '../../shared/labs/index.js';
import { netnsOf } from '../../shared/names.js';
import { shellLine } from '../../shared/shell.js';
import { run } from '../exec/run.js';
import { readConntrackEntries } from '../firewall/conntrack/table.js';
import { readRules } from '../firewall/iptables.js';
import type { IptablesRule } from '../firewall/parse.js';
import { ipJson } from '../net/ip.js';
import { cgroupProcs, cgroupValue, cpuRatio, cpuUsage, oomKilled } from './cgroup-probes.js';

type Outcome = Omit<ProbeResult, 'id' | 'probe' | 'label'>;

const exec = (netns: string, argv: string[]): string[] => ['ip', 'netns', 'exec', netns, ...argv];
const present = (want: boolean): string => (want ? 'present' : 'absent');

/** `words` contains every word of `match`, in order. */
export function matchesWords(words: readonly string[], match: readonly string[]): boolean {
  let i = 0;
  for (const w of words) if (i < match.length && w === match[i]) i++;
  return i === match.length;
}

async function ping(p: Extract<LabProbe, { probe: 'ping' }>): Promise<Outcome> {
  const argv = exec(netnsOf(p.from), ['ping', '-n', '-c', String(p.count), '-i', '0.2', '-W', '1', ...(p.ttl ? ['-t', String(p.ttl)] : []), p.to]);
  let r = await run(argv, { allowFailure: true, timeoutMs: 10_000 });
  // A port that was just plugged into a bridge, or a neighbour entry still resolving, can lose the very
  // first packet: when an answer is expected, one more try tells "slow" from "unreachable".
  if (r.code !== 0 && p.expect === 'reachable') {
    await new Promise((resolve) => setTimeout(resolve, 300));
    r = await run(argv, { allowFailure: true, timeoutMs: 10_000 });
  }
  const stats = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
  const error = /From (\S+) .*?(Time to live exceeded|Destination \S+ Unreachable)/i.exec(r.stdout);
  const received = stats ? Number(stats[2]) : 0;
  const observed = r.stderr.trim()
    ? r.stderr.trim().split('\n')[0]!
    : `${received}/${p.count} replies${error ? ` (${error[2]} from ${error[1]})` : ''}`;
  const reachable = received > 0;
  return { ok: reachable === (p.expect === 'reachable'), expected: p.expect === 'reachable' ? `${p.to} answers a ping from ${p.from}` : `no answer from ${p.to}`, observed, where: shellLine(argv) };
}

async function tcp(p: Extract<LabProbe, { probe: 'tcp' }>): Promise<Outcome> {
  const argv = exec(netnsOf(p.from), ['busybox', 'nc', '-w', '1', p.to, String(p.port)]);
  const r = await run(argv, { allowFailure: true, timeoutMs: 4000 }).catch(() => ({ code: 124, stdout: '', stderr: 'timed out' }));
  // A refusal is an answer: the RST proves the address is reachable, only the port is closed.
  const observed = r.code === 0 ? 'connected' : /refused/i.test(r.stderr) ? 'refused (RST: reachable, nothing listening)' : (r.stderr.trim().split('\n')[0] ?? 'no answer');
  const reachable = r.code === 0 || /refused/i.test(r.stderr);
  return { ok: reachable === (p.expect === 'reachable'), expected: `${p.to}:${p.port} ${p.expect === 'reachable' ? 'answers' : 'does not answer'} a TCP SYN from ${p.from}`, observed, where: shellLine(argv) };
}

async function udp(p: Extract<LabProbe, { probe: 'udp' }>): Promise<Outcome> {
  // One datagram with a TTL that reaches the target, to a port nobody listens on: the target answers
  // with ICMP port unreachable — the "related" packet conntrack ties back to the datagram.
  const argv = exec(netnsOf(p.from), ['busybox', 'traceroute', '-n', '-q', '1', '-w', '1', '-f', '8', '-m', '8', '-p', String(p.port), p.to]);
  const r = await run(argv, { allowFailure: true, timeoutMs: 5000 });
  const answered = r.stdout.split('\n').some((l) => l.trim().startsWith('8 ') && l.includes(p.to));
  return {
    ok: answered === (p.expect === 'answered'),
    expected: p.expect === 'answered' ? `${p.to} answers a UDP datagram to closed port ${p.port} with ICMP port unreachable` : `no answer from ${p.to}`,
    observed: answered ? 'ICMP port unreachable came back' : 'no answer',
    where: shellLine(argv),
  };
}

interface IpLink { ifname: string; operstate?: string; flags?: string[]; master?: string }
interface IpAddr { ifname: string; addr_info?: { local: string; prefixlen: number }[] }
interface IpRoute { dst: string; gateway?: string; dev?: string }

async function link(p: Extract<LabProbe, { probe: 'link' }>): Promise<Outcome> {
  const ns = netnsOf(p.node);
  const links = (await ipJson(ns, ['link', 'show'])) as IpLink[];
  const l = links.find((x) => x.ifname === p.name);
  const up = l ? (l.flags ?? []).includes('UP') : false;
  const ok = !!l === p.present && (p.up === undefined || !l || up === p.up);
  const expected = `${p.name} ${present(p.present)} in ${ns}${p.up === undefined ? '' : p.up ? ', up' : ', down'}`;
  return { ok, expected, observed: l ? `${p.name} present, ${up ? 'up' : 'down'} (${l.operstate ?? '?'})` : `no ${p.name}; links: ${links.map((x) => x.ifname).join(', ')}`, where: shellLine(['ip', '-n', ns, 'link', 'show']) };
}

async function addr(p: Extract<LabProbe, { probe: 'addr' }>): Promise<Outcome> {
  const ns = netnsOf(p.node);
  const links = (await ipJson(ns, ['addr', 'show', 'dev', p.dev]).catch(() => [])) as IpAddr[];
  const have = (links[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
  return { ok: have.includes(p.address) === p.present, expected: `${p.address} ${present(p.present)} on ${p.dev}`, observed: links.length ? `${p.dev}: ${have.join(', ') || 'no address'}` : `no ${p.dev} in ${ns}`, where: shellLine(['ip', '-n', ns, 'addr', 'show', 'dev', p.dev]) };
}

async function route(p: Extract<LabProbe, { probe: 'route' }>): Promise<Outcome> {
  const ns = netnsOf(p.node);
  const routes = (await ipJson(ns, ['route', 'show'])) as IpRoute[];
  const found = routes.some((r) => r.dst === p.to && (p.via === undefined || r.gateway === p.via) && (p.dev === undefined || r.dev === p.dev));
  const show = (r: IpRoute): string => `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`;
  return {
    ok: found === p.present,
    expected: `route ${p.to}${p.via ? ` via ${p.via}` : ''}${p.dev ? ` dev ${p.dev}` : ''} ${present(p.present)} in ${ns}`,
    observed: routes.length ? routes.map(show).join('; ') : 'empty routing table',
    where: shellLine(['ip', '-n', ns, 'route', 'show']),
  };
}

async function bridgePort(p: Extract<LabProbe, { probe: 'bridge-port' }>): Promise<Outcome> {
  const ns = netnsOf(p.node);
  const links = (await ipJson(ns, ['link', 'show'])) as IpLink[];
  const ports = links.filter((l) => l.master === p.bridge).map((l) => l.ifname);
  return { ok: ports.includes(p.port) === p.present, expected: `${p.port} ${p.present ? 'is' : 'is not'} a port of ${p.bridge}`, observed: `ports of ${p.bridge}: ${ports.join(', ') || 'none'}`, where: shellLine(['ip', '-n', ns, 'link', 'show', 'master', p.bridge]) };
}

async function sysctl(p: Extract<LabProbe, { probe: 'sysctl' }>): Promise<Outcome> {
  const argv = exec(netnsOf(p.node), ['sysctl', '-n', p.key]);
  const r = await run(argv, { allowFailure: true });
  const value = r.code === 0 ? r.stdout.trim() : `unreadable: ${r.stderr.trim().split('\n')[0]}`;
  return { ok: value === p.equals, expected: `${p.key} = ${p.equals}`, observed: `${p.key} = ${value}`, where: shellLine(argv) };
}

const listWhere = (ns: string, table: string, chain: string): string => shellLine(exec(ns, ['iptables', '-t', table, '-L', chain, '-v', '-n', '--line-numbers']));

async function chainRules(ns: string, table: string, chain: string): Promise<{ rules: IptablesRule[]; policy: string | null }> {
  const t = (await readRules(ns)).find((x) => x.name === table);
  return { rules: t?.rules.filter((r) => r.chain === chain) ?? [], policy: t?.chains.find((c) => c.name === chain)?.policy ?? null };
}

async function iptablesPolicy(p: Extract<LabProbe, { probe: 'iptables-policy' }>): Promise<Outcome> {
  const ns = netnsOf(p.node);
  const { policy } = await chainRules(ns, p.table, p.chain);
  // An untouched namespace has no tables yet: its built-in chains accept.
  const seen = policy ?? 'ACCEPT';
  return { ok: seen === p.equals, expected: `${p.table}/${p.chain} policy ${p.equals}`, observed: `${p.table}/${p.chain} policy ${seen}`, where: listWhere(ns, p.table, p.chain) };
}

async function iptablesRule(p: Extract<LabProbe, { probe: 'iptables-rule' }>): Promise<Outcome> {
  const ns = netnsOf(p.node);
  const { rules } = await chainRules(ns, p.table, p.chain);
  const hit = rules.find((r) => matchesWords(r.words, p.match));
  return {
    ok: !!hit === p.present,
    expected: `a rule in ${p.table}/${p.chain} with "${p.match.join(' ')}" ${present(p.present)}`,
    observed: hit ? `-A ${p.chain} ${hit.spec}` : rules.length ? `${rules.length} rule(s), none matching: ${rules.map((r) => r.spec).join(' | ')}` : `${p.table}/${p.chain} is empty`,
    where: listWhere(ns, p.table, p.chain),
  };
}

async function iptablesCounter(p: Extract<LabProbe, { probe: 'iptables-counter' }>): Promise<Outcome> {
  const ns = netnsOf(p.node);
  const { rules } = await chainRules(ns, p.table, p.chain);
  const hits = rules.filter((r) => matchesWords(r.words, p.match));
  const packets = hits.reduce((sum, r) => sum + r.packets, 0);
  const ok = hits.length > 0 && packets >= p.atLeast && (p.atMost === undefined || packets <= p.atMost);
  const bound = p.atMost === undefined ? `≥ ${p.atLeast}` : p.atLeast === p.atMost ? `= ${p.atLeast}` : `${p.atLeast}…${p.atMost}`;
  return {
    ok,
    expected: `${bound} packets counted in ${p.table}/${p.chain}${p.match.length ? ` by "${p.match.join(' ')}"` : ''}`,
    observed: hits.length ? `${packets} packets (${hits.length} rule${hits.length > 1 ? 's' : ''})` : `no such rule in ${p.table}/${p.chain}`,
    where: listWhere(ns, p.table, p.chain),
  };
}

function entryMatches(e: ConntrackEntry, p: Extract<LabProbe, { probe: 'conntrack' }>): boolean {
  if (p.protocol && e.protocol !== p.protocol) return false;
  if (p.src && e.original.src !== p.src) return false;
  if (p.dst && e.original.dst !== p.dst) return false;
  if (p.natted !== undefined && e.nat.length > 0 !== p.natted) return false;
  if (p.state === 'NEW') return e.flags.includes('UNREPLIED');
  if (p.state === 'ESTABLISHED') return !e.flags.includes('UNREPLIED');
  if (p.state) return e.state === p.state || e.flags.includes(p.state);
  return true;
}

const describeEntry = (e: ConntrackEntry): string =>
  `${e.protocol} ${e.state ? `${e.state} ` : ''}${e.original.src}→${e.original.dst}${e.original.dport ? `:${e.original.dport}` : ''} reply ${e.reply.src}→${e.reply.dst}${e.flags.length ? ` [${e.flags.join(',')}]` : ''}`;

async function conntrack(p: Extract<LabProbe, { probe: 'conntrack' }>): Promise<Outcome> {
  const ns = netnsOf(p.node);
  const entries = await readConntrackEntries(ns);
  const hit = entries.find((e) => entryMatches(e, p));
  const what = [p.protocol, p.state, p.src && `from ${p.src}`, p.dst && `to ${p.dst}`, p.natted === undefined ? undefined : p.natted ? 'NAT-ed' : 'not NAT-ed'].filter(Boolean).join(' ');
  return {
    ok: !!hit === p.present,
    expected: `a conntrack entry ${what || '(any)'} ${present(p.present)} in ${ns}`,
    observed: hit ? describeEntry(hit) : entries.length ? `${entries.length} other entr${entries.length > 1 ? 'ies' : 'y'}: ${entries.slice(0, 3).map(describeEntry).join('; ')}` : 'no entries (conntrack is idle in this namespace until a rule or NAT needs it)',
    where: shellLine(exec(ns, ['conntrack', '-L'])),
  };
}

async function file(p: Extract<LabProbe, { probe: 'file' }>): Promise<Outcome> {
  const argv = p.node ? exec(netnsOf(p.node), ['cat', p.path]) : ['cat', p.path];
  const text = p.node ? (await run(argv, { allowFailure: true })).stdout : await readFile(p.path, 'utf8').catch(() => '');
  const value = text.trim();
  const ok = (p.equals === undefined || value === p.equals) && (p.contains === undefined || value.includes(p.contains));
  return { ok, expected: p.equals !== undefined ? `${p.path} = ${p.equals}` : `${p.path} contains "${p.contains ?? ''}"`, observed: value.length > 120 ? `${value.slice(0, 120)}…` : value || '(empty or unreadable)', where: shellLine(argv) };
}

const needCtx = (ctx: HelperContext | undefined): HelperContext => {
  if (!ctx) throw new Error('container probes run in the helper');
  return ctx;
};

function defaultLabel(p: LabProbe): string {
  switch (p.probe) {
    case 'container-exec':
      return `in ${p.container}: ${p.argv.join(' ')}`;
    case 'audit-check':
      return `audit ${p.item} ${p.check} on ${p.container}`;
    case 'ping':
    case 'tcp':
    case 'udp':
      return `${p.probe} ${p.from} → ${p.to}${'port' in p ? `:${p.port}` : ''}`;
    case 'link':
      return `link ${p.node}/${p.name}`;
    case 'addr':
      return `address ${p.address} on ${p.node}/${p.dev}`;
    case 'route':
      return `route ${p.to} in ${p.node}`;
    case 'bridge-port':
      return `${p.port} on bridge ${p.node}/${p.bridge}`;
    case 'sysctl':
      return `${p.key} in ${p.node}`;
    case 'iptables-policy':
    case 'iptables-rule':
    case 'iptables-counter':
      return `${p.probe} ${p.node} ${p.table}/${p.chain}`;
    case 'conntrack':
      return `conntrack in ${p.node}`;
    case 'file':
      return `${p.path}${p.node ? ` in ${p.node}` : ''}`;
    case 'cgroup-value':
      return `${p.value} of cgroup ${p.cgroup}`;
    case 'oom-killed':
      return `OOM kills in cgroup ${p.cgroup}`;
    case 'cpu-ratio':
      return `CPU time ratio ${p.cgroups[0]} : ${p.cgroups[1]}`;
    case 'cpu-usage':
      return `CPU use of cgroup ${p.cgroup}`;
    case 'cgroup-procs':
      return `processes in cgroup ${p.cgroup}`;
  }
}

export async function runProbe(_lab: LabSpec, p: LabProbe, ctx?: HelperContext): Promise<ProbeResult> {
  const head = { id: p.id, probe: p.probe, label: p.label ?? defaultLabel(p) };
  try {
    switch (p.probe) {
      case 'ping': return { ...head, ...(await ping(p)) };
      case 'tcp': return { ...head, ...(await tcp(p)) };
      case 'udp': return { ...head, ...(await udp(p)) };
      case 'link': return { ...head, ...(await link(p)) };
      case 'addr': return { ...head, ...(await addr(p)) };
      case 'route': return { ...head, ...(await route(p)) };
      case 'bridge-port': return { ...head, ...(await bridgePort(p)) };
      case 'sysctl': return { ...head, ...(await sysctl(p)) };
      case 'iptables-policy': return { ...head, ...(await iptablesPolicy(p)) };
      case 'iptables-rule': return { ...head, ...(await iptablesRule(p)) };
      case 'iptables-counter': return { ...head, ...(await iptablesCounter(p)) };
      case 'conntrack': return { ...head, ...(await conntrack(p)) };
      case 'file': return { ...head, ...(await file(p)) };
      case 'cgroup-value': return { ...head, ...(await cgroupValue(_lab, p)) };
      case 'oom-killed': return { ...head, ...(await oomKilled(_lab, p)) };
      case 'cpu-ratio': return { ...head, ...(await cpuRatio(_lab, p)) };
      case 'cpu-usage': return { ...head, ...(await cpuUsage(_lab, p)) };
      case 'cgroup-procs': return { ...head, ...(await cgroupProcs(_lab, p)) };
      case 'container-exec': return { ...head, ...(await containerExec(needCtx(ctx), _lab, p)) };
      case 'audit-check': return { ...head, ...(await auditCheck(needCtx(ctx), _lab, p)) };
    }
  } catch (err) {
    // The namespace is gone, a tool is missing…: still a result, with the reason as what was seen.
    return { ...head, ok: false, expected: defaultLabel(p), observed: `could not look: ${(err as Error).message}`, where: 'nslab lab up (is the lab running?)' };
  }
}
