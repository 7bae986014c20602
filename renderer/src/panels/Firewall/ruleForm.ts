// The structured rule form's model: fields a person fills in (table, chain, position, match fields, target)
// turned into the words after `-A CHAIN` that fw.rule.add takes, and the iptables line it amounts to. The
// helper validates again with the kernel's own tools; this only catches what a form can see.
import { IPTABLES_TABLES } from '@shared/contract/index';

export type RuleTable = (typeof IPTABLES_TABLES)[number];
export const RULE_TABLES = IPTABLES_TABLES;
export const RULE_PROTOCOLS = ['', 'tcp', 'udp', 'icmp'] as const;
export const CT_STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID'] as const;

/** Built-in chains of each table, in hook order. */
export const BUILTIN_CHAINS: Record<RuleTable, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** Targets offered per table ('' = no target: the rule only counts). */
export const TARGETS: Record<RuleTable, string[]> = {
  filter: ['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'LOG', ''],
  nat: ['MASQUERADE', 'SNAT', 'DNAT', 'REDIRECT', 'RETURN', 'ACCEPT', ''],
  mangle: ['MARK', 'ACCEPT', 'RETURN', ''],
  raw: ['NOTRACK', 'ACCEPT', 'RETURN', ''],
  security: ['ACCEPT', 'DROP', 'RETURN', ''],
};

export interface RuleFormFields {
  table: RuleTable;
  chain: string;
  /** 0 = append (-A); N ≥ 1 = insert at N (-I CHAIN N). */
  position: number;
  protocol: (typeof RULE_PROTOCOLS)[number];
  source: string;
  destination: string;
  inIface: string;
  outIface: string;
  dport: string;
  ctstate: string[];
  target: string;
  /** SNAT --to-source, DNAT --to-destination, MARK --set-mark, REDIRECT --to-ports. */
  targetArg: string;
}

export const emptyRuleForm = (): RuleFormFields => ({ table: 'filter', chain: 'FORWARD', position: 0, protocol: '', source: '', destination: '', inIface: '', outIface: '', dport: '', ctstate: [], target: 'ACCEPT', targetArg: '' });

/** Which target needs an argument, and the option that carries it. */
export const TARGET_ARG: Record<string, string> = { SNAT: '--to-source', DNAT: '--to-destination', MARK: '--set-mark', REDIRECT: '--to-ports' };

const CIDR = /^!?\s*\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;
const IFACE = /^!?\s*[A-Za-z0-9_.+-]{1,15}$/;
const PORTS = /^\d{1,5}(:\d{1,5})?$/;

export interface RuleFormProblem {
  field: keyof RuleFormFields;
  /** An i18n key under firewall.form.errors. */
  key: string;
}

/** `! 10.0.0.0/8` → ['!', '-s', '10.0.0.0/8']. */
function negatable(option: string, value: string): string[] {
  const v = value.trim();
  return v.startsWith('!') ? ['!', option, v.slice(1).trim()] : [option, v];
}

/** The address and interface matches, in the order their words go: each may be negated with a leading `!`. */
const NEGATABLE_MATCHES = [
  { field: 'source', option: '-s', pattern: CIDR, key: 'address' },
  { field: 'destination', option: '-d', pattern: CIDR, key: 'address' },
  { field: 'inIface', option: '-i', pattern: IFACE, key: 'iface' },
  { field: 'outIface', option: '-o', pattern: IFACE, key: 'iface' },
] as const satisfies readonly { field: keyof RuleFormFields; option: string; pattern: RegExp; key: string }[];

/** The rule's words, or the first problem a form can see. */
export function ruleWords(f: RuleFormFields): { words: string[] } | { problem: RuleFormProblem } {
  const words: string[] = [];
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,28}$/.test(f.chain)) return { problem: { field: 'chain', key: 'chain' } };
  if (f.protocol) words.push('-p', f.protocol);
  for (const m of NEGATABLE_MATCHES) {
    const value = f[m.field].trim();
    if (!value) continue;
    if (!m.pattern.test(value)) return { problem: { field: m.field, key: m.key } };
    words.push(...negatable(m.option, value));
  }
  if (f.dport.trim()) {
    if (f.protocol !== 'tcp' && f.protocol !== 'udp') return { problem: { field: 'dport', key: 'dportProto' } };
    const ports = f.dport.trim();
    if (!PORTS.test(ports) || ports.split(':').some((p) => Number(p) < 1 || Number(p) > 65535)) return { problem: { field: 'dport', key: 'dport' } };
    words.push('--dport', ports);
  }
  if (f.ctstate.length) words.push('-m', 'conntrack', '--ctstate', f.ctstate.join(','));
  if (f.target) {
    words.push('-j', f.target);
    const option = TARGET_ARG[f.target];
    if (option) {
      const arg = f.targetArg.trim();
      if (!/^[A-Za-z0-9.:/-]{1,64}$/.test(arg)) return { problem: { field: 'targetArg', key: 'targetArg' } };
      words.push(option, arg);
    }
  }
  if (!words.length) return { problem: { field: 'target', key: 'empty' } };
  return { words };
}

/** What a person would type for it: `iptables -t nat -I POSTROUTING 1 -s 10.0.0.0/24 -j MASQUERADE`. */
export function ruleFormLine(f: RuleFormFields, words: string[]): string {
  const op = f.position > 0 ? ['-I', f.chain, String(f.position)] : ['-A', f.chain];
  return ['iptables', ...(f.table === 'filter' ? [] : ['-t', f.table]), ...op, ...words].join(' ');
}
