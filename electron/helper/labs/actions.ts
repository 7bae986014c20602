// Applies a lab's declarative actions (setup, solve) through the helper's own drivers, and renders each
// as the shell lines a person would type (the exported script). Every action runs inside a lab node.
import type { Action, LabSpec } from '../../shared/labs/index.js';
import { renderLabContainer, replaceLabContainer } from './container-probes.js';
import { labCgroupName, labCgroupParams, labComment, labOwner, labRpcParams } from '../../shared/labs/index.js';
import { describeLimits, normalizeLimits } from '../../shared/cgroup/limits.js';
import { cgroupDriverFor } from '../cgroup/service.js';
import { runShell, runWorkload } from '../cgroup/workload.js';
import type { ParsedParams } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { isIpv6, netnsOf } from '../../shared/names.js';
import { shellLine } from '../../shared/shell.js';
import type { HelperContext } from '../context.js';
import { run } from '../exec/run.js';
import { applyRules, ruleShell, setPolicies } from '../firewall/iptables.js';
import { changeAddress, changeRoute, setLink, setSysctl } from '../net/driver.js';
import { cniAdd } from '../cni/service.js';
import { attachmentIdOf, hasRecord } from '../cni/store.js';
import { planDockernet } from '../../shared/dockernet/plan.js';
import { proxyProcess, proxyShell, startProcess, type ManagedProcess } from '../dockernet/processes.js';

const NET_SYSCTLS: Record<string, string[]> = {
  ip_forward: ['net.ipv4.ip_forward'],
  ipv6_forward: ['net.ipv6.conf.all.forwarding'],
  rp_filter: ['net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter'],
};

function requireLabNode(lab: LabSpec, node: string | undefined): string {
  if (node === undefined || !lab.topology?.nodes.some((n) => n.name === node)) {
    throw new NslabError('invalid-params', `lab ${lab.id}: actions run only inside the lab's own nodes (got ${node ?? 'the root namespace'})`, { field: 'node' });
  }
  return netnsOf(node);
}

/** Records the lab's rule group in a namespace before the first rule goes in. */
function recordRules(ctx: HelperContext, lab: LabSpec, netns: string): void {
  const object = { kind: 'rule' as const, netns, name: labComment(lab.id), owner: labOwner(lab.id) };
  if (ctx.ledger.has(object)) return;
  ctx.ledger.commit(ctx.ledger.begin([object]));
}

export async function applyAction(ctx: HelperContext, lab: LabSpec, action: Action): Promise<void> {
  if ('rpc' in action) {
    requireLabNode(lab, action.params.node as string | undefined);
    const params = labRpcParams(action.rpc).parse(action.params);
    switch (action.rpc) {
      case 'net.addr.add':
        return void (await changeAddress(ctx, 'add', params as ParsedParams<'net.addr.add'>));
      case 'net.addr.delete':
        return void (await changeAddress(ctx, 'del', params as ParsedParams<'net.addr.add'>));
      case 'net.route.add':
        return void (await changeRoute(ctx, 'replace', params as ParsedParams<'net.route.add'>));
      case 'net.route.delete':
        return void (await changeRoute(ctx, 'del', params as ParsedParams<'net.route.add'>));
      case 'net.link.set':
        return void (await setLink(ctx, params as ParsedParams<'net.link.set'>));
      case 'net.sysctl.set':
        return void (await setSysctl(ctx, params as ParsedParams<'net.sysctl.set'>));
    }
  }
  if ('firewall' in action) {
    const netns = requireLabNode(lab, action.firewall.node);
    recordRules(ctx, lab, netns);
    return applyRules(netns, labComment(lab.id), action.firewall.rules);
  }
  if ('policy' in action) {
    const netns = requireLabNode(lab, action.policy.node);
    return setPolicies(netns, [action.policy]);
  }
  if ('sysctl' in action) {
    const netns = requireLabNode(lab, action.sysctl.node);
    await run(['ip', 'netns', 'exec', netns, 'sysctl', '-q', '-w', `${action.sysctl.key}=${action.sysctl.value}`], { change: true });
    return;
  }
  if ('container' in action) return void (await replaceLabContainer(ctx, lab, action.container));
  if ('cni' in action) {
    requireLabNode(lab, action.cni.node);
    requireLabNode(lab, action.cni.host);
    const { config, ...rest } = action.cni;
    // Solving again (all steps, or after a reset of a later one) finds the attachment made: nothing to do.
    if (hasRecord(ctx.stateDir, attachmentIdOf(String(config.name), rest.node, rest.ifname))) return;
    return void (await cniAdd(ctx, { ...rest, config: JSON.stringify(config), args: {}, pluginDirs: [] }, labOwner(lab.id)));
  }
  if ('proxy' in action) return startProcess(ctx, labProxy(ctx, lab, action.proxy));
  return applyCgroupAction(ctx, lab, action);
}

/** Where a dockernet lab's docker-proxy runs and forwards to. */
function labProxyTarget(lab: LabSpec, p: { hostPort: number; container: string; containerPort: number }): { netns: string; hostPort: number; containerIp: string; containerPort: number } {
  if (!lab.dockernet) throw new NslabError('invalid-params', `lab ${lab.id}: a proxy action needs a dockernet lab`, { field: 'proxy' });
  const plan = planDockernet(lab.dockernet);
  const c = plan.containers.find((x) => x.name === p.container);
  if (!c?.ip) throw new NslabError('invalid-params', `lab ${lab.id}: no bridged container ${p.container}`, { field: 'proxy.container' });
  return { netns: netnsOf(plan.host), hostPort: p.hostPort, containerIp: c.ip, containerPort: p.containerPort };
}

/** docker-proxy for a dockernet lab's published port, owned by the lab (its down stops it). */
function labProxy(ctx: HelperContext, lab: LabSpec, p: { hostPort: number; container: string; containerPort: number }): ManagedProcess {
  const t = labProxyTarget(lab, p);
  return proxyProcess(ctx.stateDir, lab.dockernet!.name, t.netns, labOwner(lab.id), t.hostPort, t.containerIp, t.containerPort);
}

type CgroupAction = Extract<Action, { cgroup: string }>;

async function applyCgroupAction(ctx: HelperContext, lab: LabSpec, action: CgroupAction): Promise<void> {
  if (!lab.cgroups?.some((c) => c.name === action.params.name)) {
    throw new NslabError('invalid-params', `lab ${lab.id}: actions change only the lab's own cgroups (got ${String(action.params.name)})`, { field: 'name' });
  }
  const driver = cgroupDriverFor(ctx);
  if (!driver) throw new NslabError('unsupported-kernel', 'no cgroup hierarchy is mounted (neither cgroup v1 nor v2 under /proc/self/mountinfo)');
  switch (action.cgroup) {
    case 'cgroup.set': {
      const params = labCgroupParams(lab.id, action) as ParsedParams<'cgroup.set'>;
      await driver.set(params.name, params.limits);
      return;
    }
    case 'cgroup.run': {
      if (process.getuid?.() !== 0 || ctx.mode === 'sandbox') throw new NslabError('permission-denied', 'starting a workload in a cgroup needs the host helper (root)');
      const params = labCgroupParams(lab.id, action) as ParsedParams<'cgroup.run'>;
      await runWorkload(driver, params);
      return;
    }
  }
}

/** The `nslab cgroup` lines that make a lab's groups (export and the lab's own commands). */
export function cgroupCreateLines(lab: LabSpec): string[] {
  return (lab.cgroups ?? []).map((c) => shellLine(['nslab', 'cgroup', 'create', labCgroupName(lab.id, c.name), ...limitFlags(normalizeLimits(c.limits))]));
}

const limitFlags = (limits: ReturnType<typeof normalizeLimits>): string[] => {
  const words = describeLimits(limits);
  // describeLimits speaks in people's words; bytes come back as "20 MiB", so memory is written in bytes.
  const size = (b: number | 'max'): string => (b === 'max' ? '-1' : b % 1_048_576 === 0 ? `${b / 1_048_576}m` : String(b));
  if (limits.memory !== undefined) words.memory = size(limits.memory);
  if (limits['memory-swap'] !== undefined) words['memory-swap'] = size(limits['memory-swap']);
  if (limits['cpu-quota'] !== undefined && limits['cpu-period'] !== undefined && limits['cpu-period'] !== 100_000) {
    delete words.cpus;
    words['cpu-period'] = String(limits['cpu-period']);
    words['cpu-quota'] = limits['cpu-quota'] === 'max' ? '-1' : String(limits['cpu-quota']);
  }
  if (words['pids-limit'] === 'unlimited') words['pids-limit'] = '-1';
  if (words.cpus === 'unlimited') {
    delete words.cpus;
    words['cpu-quota'] = '-1';
  }
  for (const k of ['cpu-rt-period', 'cpu-rt-runtime']) if (words[k]) words[k] = words[k]!.replace(' µs', '');
  return Object.entries(words).flatMap(([k, v]) => [`--${k}`, v]);
};

/** The same action as the lines a person would type. */
export function renderAction(lab: LabSpec, action: Action): string[] {
  if ('rpc' in action) {
    const p = action.params as Record<string, string | number | boolean | null | undefined>;
    const ns = ['ip', '-n', netnsOf(String(p.node))];
    switch (action.rpc) {
      case 'net.addr.add':
      case 'net.addr.delete':
        return [shellLine([...ns, 'addr', action.rpc === 'net.addr.add' ? 'add' : 'del', String(p.address), 'dev', String(p.dev)])];
      case 'net.route.add':
      case 'net.route.delete': {
        const family = isIpv6(String(p.to)) || (p.via !== undefined && isIpv6(String(p.via))) ? ['-6'] : [];
        const op = action.rpc === 'net.route.add' ? 'replace' : 'del';
        return [shellLine([...ns, ...family, 'route', op, String(p.to), ...(p.via ? ['via', String(p.via)] : []), ...(p.dev ? ['dev', String(p.dev)] : [])])];
      }
      case 'net.link.set': {
        const out: string[] = [];
        if (p.mtu !== undefined) out.push(shellLine([...ns, 'link', 'set', String(p.name), 'mtu', String(p.mtu)]));
        if (p.master === null) out.push(shellLine([...ns, 'link', 'set', String(p.name), 'nomaster']));
        else if (p.master !== undefined) out.push(shellLine([...ns, 'link', 'set', String(p.name), 'master', String(p.master)]));
        if (p.up !== undefined) out.push(shellLine([...ns, 'link', 'set', String(p.name), p.up ? 'up' : 'down']));
        return out;
      }
      case 'net.sysctl.set':
        return [shellLine(['ip', 'netns', 'exec', netnsOf(String(p.node)), 'sysctl', '-q', '-w', ...(NET_SYSCTLS[String(p.key)] ?? []).map((k) => `${k}=${String(p.value)}`)])];
    }
  }
  if ('firewall' in action) return action.firewall.rules.map((r) => ruleShell(netnsOf(action.firewall.node), r, labComment(lab.id)));
  if ('policy' in action) {
    const { node, table, chain, target } = action.policy;
    return [shellLine(['ip', 'netns', 'exec', netnsOf(node), 'iptables', '-t', table, '-P', chain, target])];
  }
  if ('sysctl' in action) return [shellLine(['ip', 'netns', 'exec', netnsOf(action.sysctl.node), 'sysctl', '-q', '-w', `${action.sysctl.key}=${action.sysctl.value}`])];
  if ('container' in action) return renderLabContainer(lab, action.container);
  if ('cni' in action) {
    const { node, host, ifname, config, portMappings } = action.cni;
    const flags = [...(ifname !== 'eth0' ? ['--ifname', ifname] : []), ...portMappings.flatMap((m) => ['--publish', `${m.hostPort}:${m.containerPort}/${m.protocol}`])];
    return [`${shellLine(['nslab', 'cni', 'add', node, '--host', host, '--config', '-', ...flags])} <<'EOF'\n${JSON.stringify(config, null, 2)}\nEOF`];
  }
  if ('proxy' in action) {
    const t = labProxyTarget(lab, action.proxy);
    return [`${proxyShell(t.netns, t.hostPort, t.containerIp, t.containerPort)} &`];
  }
  const params = labCgroupParams(lab.id, action) as ParsedParams<'cgroup.set'> | ParsedParams<'cgroup.run'>;
  if ('argv' in params) return [runShell(params.name, params.argv, params.timeoutMs, params.wait)];
  return [shellLine(['nslab', 'cgroup', 'set', params.name, ...limitFlags(normalizeLimits(params.limits))])];
}
