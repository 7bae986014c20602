// A guided lab (`resources/labs/*.yaml`): what it builds, and ordered steps that are checked against the
// learner's own kernel. Runtime-free: the helper validates with it, the Labs panel can too.
import { z } from 'zod';
import { linkInterfaces, TopologySpec } from '../contract/topology-spec.js';
import { NodeName } from '../names.js';
import { Action, LabContainerSpec, actionCgroup, actionNode, labContainerName } from './actions.js';
import { LabCgroup, Probe, probeCgroups, probeContainers, probeNodes, probeTarget } from './probes.js';
import { Text } from './text.js';
import { LimitsInput } from '../cgroup/limits.js';
import { DockernetUpParams } from '../contract/dockernet.js';
import { planDockernet, topologyOf } from '../dockernet/plan.js';

/** The `gateway` of every host-local range in a lab's conflist. */
function cniGateways(config: Record<string, unknown>): string[] {
  const plugins = Array.isArray(config.plugins) ? (config.plugins as { ipam?: { ranges?: unknown } }[]) : [];
  return plugins.flatMap((p) => (Array.isArray(p.ipam?.ranges) ? (p.ipam.ranges as unknown[]).flat() : [])).flatMap((r) => (typeof (r as { gateway?: unknown }).gateway === 'string' ? [(r as { gateway: string }).gateway] : []));
}

export const LabId = z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, { error: 'a lab id is lowercase letters, digits and -, e.g. netns-veth' });
const StepId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'a step id is lowercase letters, digits and -' });

export const LabCommand = z.strictObject({
  /** The node whose terminal it is typed in; none = the lab's own terminal on the host. */
  node: NodeName.optional(),
  /** Shown and copyable; nslab never runs it. */
  cmd: z.string().min(1).max(500),
  note: Text.optional(),
});

export const LabHint = z.strictObject({
  /** The probe (id or position) whose failure selects this hint; none = any failure in the step. */
  probe: z.string().optional(),
  /** A regular expression on what the probe observed. */
  observed: z.string().max(200).optional(),
  text: Text,
});
export type LabHint = z.infer<typeof LabHint>;

export const LabStep = z
  .strictObject({
    id: StepId,
    title: Text,
    goal: Text,
    /** The reasoning from the notes: why the kernel behaves this way. */
    why: Text.optional(),
    dependsOn: z.array(StepId).default([]),
    commands: z.array(LabCommand).default([]),
    check: z.array(Probe).min(1, { error: 'a step needs at least one check' }),
    hints: z.array(LabHint).default([]),
    solve: z.array(Action).default([]),
  })
  .transform((s) => ({ ...s, check: s.check.map((p, i) => ({ ...p, id: p.id ?? String(i) })) }));
export type LabStep = z.infer<typeof LabStep>;

export const LabCgroupSpec = z.strictObject({
  name: LabCgroup,
  /** Limits written at up, in Docker's words as `nslab cgroup create` takes them (`memory: 64m`, `cpuset-cpus: '0'`). */
  limits: LimitsInput.default({}),
});

export const LAB_LEVELS = ['beginner', 'intermediate', 'advanced'] as const;

const LabObject = z
  .strictObject({
    id: LabId,
    title: Text,
    summary: Text,
    level: z.enum(LAB_LEVELS),
    minutes: z.number().int().min(1).max(240),
    /** Place in the catalogue's learning order (1 = first): the notes' first experiment comes first. */
    order: z.number().int().min(1).max(1000),
    /** Labs to do before this one (their ids); each must come earlier in the order. */
    requires: z.array(LabId).default([]),
    topics: z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1),
    intro: Text.optional(),
    topology: TopologySpec.optional(),
    /** A dockernet built at up (`nslab dockernet up` with these params); its topology is derived from it. */
    dockernet: DockernetUpParams.optional(),
    cgroups: z.array(LabCgroupSpec).optional(),
    /** Containers made at up (detached), after the cgroups and before setup. */
    containers: z.array(LabContainerSpec).optional(),
    /** Applied at up (and again at reset): the starting state the learner investigates. */
    setup: z.array(Action).default([]),
    steps: z.array(LabStep).min(1, { error: 'a lab needs at least one step' }),
  })
  .superRefine((lab, ctx) => {
    if (!lab.topology && !lab.cgroups && !lab.containers) ctx.addIssue({ code: 'custom', path: ['topology'], message: 'a lab needs a topology, cgroups or containers' });
    const containers = new Set([...(lab.containers ?? []), ...[...lab.setup, ...lab.steps.flatMap((s) => s.solve)].flatMap((a) => ('container' in a ? [a.container] : []))].map((c) => c.name));
    for (const c of containers) if (labContainerName(lab.id, c).length > 32) ctx.addIssue({ code: 'custom', path: ['containers'], message: `lab id + - + container name must fit in 32 characters (${labContainerName(lab.id, c)})` });
    const nodes = new Set(lab.topology?.nodes.map((n) => n.name) ?? []);
    const cgroups = new Set(lab.cgroups?.map((c) => c.name) ?? []);
    // Traffic goes only to addresses inside the lab's own namespaces.
    const addresses = new Set(
      (lab.topology ? [...lab.topology.nodes.flatMap((n) => n.bridges), ...linkInterfaces(lab.topology.links)] : []).flatMap((i) => i.addresses.map((a) => a.split('/')[0]!)),
    );
    // A dockernet's: its macvlan children (made after the topology) and each node's own 127.0.0.1.
    if (lab.dockernet) {
      for (const c of planDockernet(lab.dockernet).containers) if (c.ip) addresses.add(c.ip);
      addresses.add('127.0.0.1');
    }
    // …including the ones the lab's own actions put on its nodes.
    for (const a of [...lab.setup, ...lab.steps.flatMap((s) => s.solve)]) {
      if ('rpc' in a && a.rpc === 'net.addr.add' && typeof a.params.address === 'string') addresses.add(a.params.address.split('/')[0]!);
      // a CNI attachment's gateways, when its host-local ranges name them (the bridge plugin puts them on its bridge)
      if ('cni' in a) for (const g of cniGateways(a.cni.config)) addresses.add(g);
    }
    const needNode = (node: string | undefined, path: (string | number)[]): void => {
      if (node !== undefined && !nodes.has(node)) ctx.addIssue({ code: 'custom', path, message: `node '${node}' is not a node of this lab's topology` });
    };
    const needCgroup = (c: string | undefined, path: (string | number)[]): void => {
      if (c !== undefined && !cgroups.has(c)) ctx.addIssue({ code: 'custom', path, message: `cgroup '${c}' is not one of this lab's cgroups` });
    };
    if (lab.cgroups && lab.id.length + 1 + Math.max(0, ...lab.cgroups.map((c) => c.name.length)) > 64) ctx.addIssue({ code: 'custom', path: ['cgroups'], message: 'lab id + . + group name must fit in 64 characters' });
    lab.cgroups?.forEach((c, i) => lab.cgroups!.findIndex((d) => d.name === c.name) !== i && ctx.addIssue({ code: 'custom', path: ['cgroups', i, 'name'], message: `cgroup '${c.name}' is listed twice` }));
    lab.setup.forEach((a, i) => needNode(actionNode(a), ['setup', i]));
    lab.setup.forEach((a, i) => needCgroup(actionCgroup(a), ['setup', i, 'params', 'name']));
    const seen = new Map<string, number>();
    lab.steps.forEach((step, i) => {
      if (seen.has(step.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `step '${step.id}' is listed twice` });
      step.dependsOn.forEach((dep, j) => {
        const at = seen.get(dep);
        const later = lab.steps.findIndex((s) => s.id === dep);
        if (at === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'dependsOn', j],
            message: later >= i ? `step '${step.id}' depends on '${dep}', which comes later; a step may depend only on earlier steps` : `step '${step.id}' depends on '${dep}', which is not a step of this lab`,
          });
        }
      });
      seen.set(step.id, i);
      step.check.forEach((p, j) => {
        probeNodes(p).forEach((n) => needNode(n, ['steps', i, 'check', j, 'probe' in p && 'from' in p ? 'from' : 'node']));
        const to = probeTarget(p);
        if (to !== undefined && !addresses.has(to)) {
          ctx.addIssue({ code: 'custom', path: ['steps', i, 'check', j, 'to'], message: `${to} is not an address of this lab's topology; labs send traffic only inside their own namespaces` });
        }
        probeCgroups(p).forEach((c) => needCgroup(c, ['steps', i, 'check', j, 'cgroup' in p ? 'cgroup' : 'cgroups']));
        probeContainers(p).forEach((c) => !containers.has(c) && ctx.addIssue({ code: 'custom', path: ['steps', i, 'check', j, 'container'], message: `container '${c}' is not one of this lab's containers` }));
      });
      const probeIds = new Set(step.check.map((p, j) => p.id ?? String(j)));
      step.hints.forEach((h, j) => {
        if (h.probe !== undefined && !probeIds.has(h.probe)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'hints', j, 'probe'], message: `no probe '${h.probe}' in step '${step.id}'` });
        if (h.observed !== undefined) {
          try {
            new RegExp(h.observed);
          } catch {
            ctx.addIssue({ code: 'custom', path: ['steps', i, 'hints', j, 'observed'], message: 'not a valid regular expression' });
          }
        }
      });
      step.solve.forEach((a, j) => needNode(actionNode(a), ['steps', i, 'solve', j]));
      step.solve.forEach((a, j) => needCgroup(actionCgroup(a), ['steps', i, 'solve', j, 'params', 'name']));
      step.commands.forEach((c, j) => needNode(c.node, ['steps', i, 'commands', j, 'node']));
    });
  });

/** A lab's topology is named after the lab unless it says otherwise. */
function withTopologyName(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const dn = (raw as { dockernet?: unknown; topology?: unknown }).dockernet;
  if (dn !== undefined && (raw as { topology?: unknown }).topology === undefined) {
    // The topology a dockernet lab runs in is the dockernet's own (named dockernet-<name>).
    const parsed = DockernetUpParams.safeParse(dn);
    return parsed.success ? { ...raw, topology: topologyOf(planDockernet(parsed.data)) } : raw;
  }
  const lab = raw as { id?: unknown; topology?: unknown };
  if (typeof lab.topology !== 'object' || lab.topology === null || 'name' in lab.topology) return raw;
  return { ...lab, topology: { name: `lab-${String(lab.id)}`, ...lab.topology } };
}

export const LabSpec = z.preprocess(withTopologyName, LabObject);
export type LabSpec = z.output<typeof LabSpec>;
export type LabProbe = LabStep['check'][number] & { id: string };

/** The owner recorded in the ledger for what a lab makes beyond its topology (firewall rules). */
export const labOwner = (id: string): string => `lab:${id}`;
/** The iptables comment every lab rule carries. */
export const labComment = (id: string): string => `nslab:${id}`;
