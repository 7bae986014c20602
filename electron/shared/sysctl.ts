// The sysctls a page may change inside an nslab node, and nothing else: forwarding and reverse-path
// filtering are what the notes' routing steps need; every other knob stays CLI-only (or untouched).
import { z } from 'zod';
import { IfName } from './names.js';

/** `all` and `default` are the conf entries every namespace has; anything else names an interface. */
export const CONF_SCOPES = ['all', 'default'] as const;

export interface NodeSysctl {
  /** The dotted name as `sysctl` prints it, e.g. `net.ipv4.conf.veth0.rp_filter`. */
  name: string;
  knob: 'ip_forward' | 'rp_filter' | 'forwarding';
  /** `null` for net.ipv4.ip_forward; `all`, `default` or an interface name for a conf entry. */
  scope: string | null;
  /** Largest value allowed (rp_filter: 2 = loose; the rest are on/off). */
  max: number;
}

export const NODE_SYSCTL_PATTERNS = ['net.ipv4.ip_forward', 'net.ipv4.conf.<all|default|ifname>.rp_filter', 'net.ipv4.conf.<all|default|ifname>.forwarding'] as const;
const ALLOWED = `allowed: ${NODE_SYSCTL_PATTERNS.join(', ')}`;

const CONF = /^net\.ipv4\.conf\.(.+)\.(rp_filter|forwarding)$/;

/** The allowlisted sysctl `name` names, or a sentence saying why it is not one. */
export function parseNodeSysctl(name: string): NodeSysctl | string {
  if (name === 'net.ipv4.ip_forward') return { name, knob: 'ip_forward', scope: null, max: 1 };
  const m = CONF.exec(name);
  if (!m) return `${name} is not a sysctl nslab changes from a page (${ALLOWED})`;
  const [, scope, knob] = m as unknown as [string, string, 'rp_filter' | 'forwarding'];
  if (!(CONF_SCOPES as readonly string[]).includes(scope)) {
    const ifname = IfName.safeParse(scope);
    if (!ifname.success) return `${scope} in ${name} is neither all, default nor a valid interface name: ${ifname.error.issues[0]?.message ?? 'invalid'}`;
  }
  return { name, knob, scope, max: knob === 'rp_filter' ? 2 : 1 };
}

/** sysctl's own notation: a dot inside an interface name (`eth0.100`) is written with slashes instead. */
export const sysctlPath = (s: NodeSysctl): string => (s.scope?.includes('.') ? `net/ipv4/conf/${s.scope}/${s.knob}` : s.name);

export const NodeSysctlName = z
  .string({ error: 'name must be a sysctl name such as net.ipv4.ip_forward' })
  .max(96, { error: 'name must be at most 96 characters' })
  .superRefine((name, ctx) => {
    const parsed = parseNodeSysctl(name);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  });

/** The values `sysctl` takes for a knob: rp_filter 0 off, 1 strict, 2 loose; forwarding 0 or 1. */
export function sysctlValueProblem(name: string, value: number): string | null {
  const parsed = parseNodeSysctl(name);
  if (typeof parsed === 'string') return null; // the name's own issue says it
  if (!Number.isInteger(value) || value < 0 || value > parsed.max) {
    return parsed.knob === 'rp_filter' ? 'rp_filter is 0 (off), 1 (strict) or 2 (loose)' : `${parsed.knob} is 0 (off) or 1 (on)`;
  }
  return null;
}
