// The fixes the diagnoser proposes: actions `why.fix` can apply, each with the command a person would type.
import type { WhyAction, WhyFix, WhyText } from '../../shared/contract/index.js';
import { netnsOf } from '../../shared/names.js';
import { shellLine } from '../../shared/shell.js';

const SYSCTL: Record<string, string[]> = {
  ip_forward: ['net.ipv4.ip_forward'],
  rp_filter: ['net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter'],
  'bridge-nf-call-iptables': ['net.bridge.bridge-nf-call-iptables'],
};

export const SYSCTL_NAMES = SYSCTL;

/** The command for one action; `fw.delete` needs the rule's iptables line (or nft text) to say it. */
export function commandOf(a: WhyAction, ruleLine?: string): string {
  const ns = netnsOf(a.node);
  const ip = (...w: string[]): string => shellLine(['ip', '-n', ns, ...w]);
  switch (a.op) {
    case 'link.set':
      return ip('link', 'set', a.name, ...(a.master ? ['master', a.master] : []), ...(a.up === undefined ? [] : [a.up ? 'up' : 'down']));
    case 'link.move':
      return ip('link', 'set', a.name, 'netns', netnsOf(a.to));
    case 'addr.add':
      return ip('addr', 'add', a.address, 'dev', a.dev);
    case 'addr.del':
      return ip('addr', 'del', a.address, 'dev', a.dev);
    case 'route.add':
      return ip('route', 'replace', a.to, ...(a.via ? ['via', a.via] : []), ...(a.dev ? ['dev', a.dev] : []));
    case 'sysctl':
      return shellLine(['ip', 'netns', 'exec', ns, 'sysctl', '-w', ...SYSCTL[a.key]!.map((k) => `${k}=${a.value}`)]);
    case 'fw.delete':
      return ruleLine?.startsWith('iptables') ? `ip netns exec ${ns} ${ruleLine.replace(/ -A /, ' -D ')}` : `ip netns exec ${ns} nft delete rule … # ${ruleLine ?? a.id}`;
    case 'fw.add':
      return `ip netns exec ${ns} iptables ${a.line}`;
    case 'fw.policy':
      return shellLine(['ip', 'netns', 'exec', ns, 'iptables', ...(a.table === 'filter' ? [] : ['-t', a.table]), '-P', a.chain, a.policy]);
  }
}

export function makeFix(description: WhyText, actions: WhyAction[], extraCommands: string[] = [], ruleLine?: string): WhyFix {
  return { description, actions, commands: [...actions.map((a) => commandOf(a, ruleLine)), ...extraCommands] };
}

/** A fix only a person can do (start a server…): commands, no actions. */
export const manualFix = (description: WhyText, commands: string[]): WhyFix => ({ description, actions: [], commands });
