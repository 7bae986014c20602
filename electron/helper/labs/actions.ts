// Applies a lab's declarative actions (setup, solve) through the helper's own drivers, and renders each
// as the shell lines a person would type (the exported script). Every action runs inside a lab node.
import type { Action, LabSpec } from '../../shared/labs/index.js';
import { labComment, labOwner, labRpcParams } from '../../shared/labs/index.js';
import type { ParsedParams } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { isIpv6, netnsOf } from '../../shared/names.js';
import { shellLine } from '../../shared/shell.js';
import type { HelperContext } from '../context.js';
import { run } from '../exec.js';
import { applyRules, ruleShell, setPolicies } from '../firewall/iptables.js';
import { changeAddress, changeRoute, setLink, setSysctl } from '../net/driver.js';

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
  throw new NslabError('unsupported-kernel', `lab ${lab.id} needs the cgroups driver (${action.cgroup}), which this build does not have yet`, { field: 'cgroup' });
}

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
  return [`# ${action.cgroup} ${JSON.stringify(action.params)} (cgroups driver)`];
}
