// What `setup` and `solve` do: declarative actions applied through the helper's own methods. Never shell
// strings — the exported script is rendered from these, not the other way round.
import { z } from 'zod';
import { cgroup as cgroupMethods } from '../contract/cgroup.js';
import { net } from '../contract/net.js';
import { IfName, NodeName } from '../names.js';
import { ContainerRunParams } from '../contract/container.js';
import { CniPortMapping } from '../contract/cni.js';
import { ChainName, IptablesTable, LabCgroup, LabContainer, RuleWord, SysctlName } from './probes.js';

/** Contract methods a lab may call; their params are validated by the contract's own schemas. */
export const LAB_RPC_METHODS = ['net.addr.add', 'net.addr.delete', 'net.route.add', 'net.route.delete', 'net.link.set', 'net.sysctl.set'] as const;
export type LabRpcMethod = (typeof LAB_RPC_METHODS)[number];
export const labRpcParams = (m: LabRpcMethod): z.ZodType => net[m].params;

export const FirewallRule = z.strictObject({
  table: IptablesTable.default('filter'),
  chain: ChainName,
  /** The rule after `-A CHAIN`, one word per item; nslab adds `-m comment --comment nslab:<lab>`. */
  rule: z.array(RuleWord).default([]),
  /** `-I` (first in the chain) instead of `-A`. */
  insert: z.boolean().default(false),
}).refine((r) => !r.rule.some((w) => /^(-[AIDRFZNXPt]|--(append|insert|delete|replace|flush|zero|new-chain|delete-chain|policy|table|comment))$/.test(w)), {
  error: 'a rule must not contain -A/-I/-D/-t/-P/--comment: table, chain and the nslab comment are separate fields',
  path: ['rule'],
});
export type FirewallRule = z.infer<typeof FirewallRule>;

const RpcAction = z.strictObject({
  rpc: z.enum(LAB_RPC_METHODS, { error: `rpc must be one of ${LAB_RPC_METHODS.join(', ')}` }),
  params: z.record(z.string(), z.unknown()),
});
const FirewallAction = z.strictObject({ firewall: z.strictObject({ node: NodeName, rules: z.array(FirewallRule).min(1) }) });
const PolicyAction = z.strictObject({ policy: z.strictObject({ node: NodeName, table: IptablesTable.default('filter'), chain: z.enum(['INPUT', 'FORWARD', 'OUTPUT']), target: z.enum(['ACCEPT', 'DROP']) }) });
const SysctlAction = z.strictObject({ sysctl: z.strictObject({ node: NodeName, key: SysctlName, value: z.string().regex(/^[0-9]+$/, { error: 'a lab sysctl value is a number' }) }) });
/** cgroup methods a lab may call on its own groups; `params.name` is the lab's short group name. */
export const LAB_CGROUP_METHODS = ['cgroup.set', 'cgroup.run'] as const;
export type LabCgroupMethod = (typeof LAB_CGROUP_METHODS)[number];
/** Runs a cgroup method of the cgroups driver on one of the lab's groups (params validated by that contract). */
const CgroupAction = z.strictObject({
  cgroup: z.enum(LAB_CGROUP_METHODS, { error: `cgroup must be one of ${LAB_CGROUP_METHODS.join(', ')}` }),
  params: z.record(z.string(), z.unknown()),
});
/** A lab group's name in nslab/: `<lab id>.<name>` (one flat level, like every nslab group). */
export const labCgroupName = (labId: string, name: string): string => `${labId}.${name}`;
/** The contract's params for a lab cgroup action, with the lab's short name made the real group name. */
export const labCgroupParams = (labId: string, a: { cgroup: LabCgroupMethod; params: Record<string, unknown> }): unknown =>
  cgroupMethods[a.cgroup].params.parse({ ...a.params, name: labCgroupName(labId, String(a.params.name)) });

/** A lab container: made at up (detached), or replaced by a step's solve; its name in nslab is `<lab id>-<name>`. */
export const LabContainerSpec = z.strictObject({
  name: LabContainer,
  run: ContainerRunParams.omit({ name: true, owner: true, detach: true, remove: true, timeoutMs: true, net: true, ip: true, gateway: true }),
});
export type LabContainerSpec = z.infer<typeof LabContainerSpec>;
export const labContainerName = (labId: string, name: string): string => `${labId}-${name}`;
/** Removes the lab's container of this name (if there is one) and runs this one in its place. */
const ContainerAction = z.strictObject({ container: LabContainerSpec });

/** Attaches a lab node to a CNI network: the conflist (as YAML/JSON object) run by nslab's CNI runtime, the plugins in `host`. */
const CniAction = z.strictObject({
  cni: z.strictObject({
    node: NodeName,
    host: NodeName,
    ifname: IfName.default('eth0'),
    config: z.record(z.string(), z.unknown()),
    portMappings: z.array(CniPortMapping).max(8).default([]),
  }),
});

/** A dockernet lab: start docker-proxy for a published port in the dockernet's host (what dockerd does per -p). */
const ProxyAction = z.strictObject({
  proxy: z.strictObject({ hostPort: z.number().int().min(1).max(65535), container: z.string().regex(/^[a-z][a-z0-9]{0,7}$/), containerPort: z.number().int().min(1).max(65535) }),
});

const ACTION_KEYS = ['rpc', 'firewall', 'policy', 'sysctl', 'cgroup', 'container', 'cni', 'proxy'] as const;

export const Action = z.union([RpcAction, FirewallAction, PolicyAction, SysctlAction, CgroupAction, ContainerAction, CniAction, ProxyAction], {
  error: (issue) => (issue.code === 'invalid_union' ? `an action is one of { rpc, params }, { firewall }, { policy }, { sysctl }, { cgroup, params }, { container }, { cni }, { proxy }` : undefined),
}).superRefine((a, ctx) => {
  if ('rpc' in a) {
    const parsed = labRpcParams(a.rpc).safeParse(a.params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      ctx.addIssue({ code: 'custom', path: ['params', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: `${a.rpc}: ${issue.message}` });
    }
    if (a.params.node === undefined) ctx.addIssue({ code: 'custom', path: ['params', 'node'], message: 'a lab action runs inside one of its nodes: give params.node' });
  }
  if ('cgroup' in a) {
    const name = LabCgroup.safeParse(a.params.name);
    if (!name.success) ctx.addIssue({ code: 'custom', path: ['params', 'name'], message: `${a.cgroup}: params.name is one of the lab's cgroups (${name.error.issues[0]!.message})` });
    const parsed = cgroupMethods[a.cgroup].params.safeParse({ ...a.params, name: 'lab.check' });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      ctx.addIssue({ code: 'custom', path: ['params', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: `${a.cgroup}: ${issue.message}` });
    }
  }
});
export type Action = z.infer<typeof Action>;
export const ActionKeys = ACTION_KEYS;

/** The node an action changes (every lab action runs inside a lab node, never the root namespace). */
export function actionNode(a: Action): string | undefined {
  if ('rpc' in a) return typeof a.params.node === 'string' ? a.params.node : undefined;
  if ('firewall' in a) return a.firewall.node;
  if ('policy' in a) return a.policy.node;
  if ('sysctl' in a) return a.sysctl.node;
  if ('cni' in a) return a.cni.node;
  return undefined;
}

/** The lab group an action changes. */
export const actionCgroup = (a: Action): string | undefined => ('cgroup' in a && typeof a.params.name === 'string' ? a.params.name : undefined);
