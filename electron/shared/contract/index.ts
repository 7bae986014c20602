// The one contract: every helper method and event. Dispatcher, CLI, relays' allowlist and the renderer's
// typed client are all derived from this table.
import type { z } from 'zod';
import type { MethodSpec } from './define.js';
import { activity } from './activity.js';
import { cgroup } from './cgroup.js';
import { dockernet } from './dockernet.js';
import { firewall } from './firewall.js';
import { audit } from './audit.js';
import { container } from './container.js';
import { labs } from './labs.js';
import { metrics } from './metrics.js';
import { net } from './net.js';
import { netNode } from './net-node.js';
import { pty } from './pty.js';
import { system } from './system.js';
import { topology } from './topology.js';
import { trace } from './trace.js';
import { conntrack } from './conntrack.js';
import { cni } from './cni.js';
import { why } from './why.js';

export const methods = { ...system, ...activity, ...net, ...netNode, ...topology, ...pty, ...labs, ...cgroup, ...metrics, ...firewall, ...trace, ...conntrack, ...container, ...audit, ...dockernet, ...why, ...cni };

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type ParsedParams<M extends MethodName> = z.output<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;

/** Methods sent as JSON-RPC notifications (no id, no reply). */
export type NotificationName = { [M in MethodName]: Methods[M] extends { notification: true } ? M : never }[MethodName];
/** Methods that answer. */
export type RequestName = Exclude<MethodName, NotificationName>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export const RENDERER_METHODS: ReadonlySet<MethodName> = new Set(METHOD_NAMES.filter((m) => methods[m].renderer));

export const isMethodName = (name: unknown): name is MethodName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);

export const isNotificationMethod = (name: unknown): name is NotificationName =>
  isMethodName(name) && (methods[name] as MethodSpec).notification === true;

/** How a method changes the connection's broadcast subscriptions, if it does. */
export const subscriptionChange = (name: string): MethodSpec['subscription'] => (isMethodName(name) ? (methods[name] as MethodSpec).subscription : undefined);

export * from './events.js';
export { ActivityQuery } from './activity.js';
export * from './cgroup.js';
export { DockernetObject, DockernetShow, DockernetUpParams, DOCKER_ENGINES, DOCKER_NETWORK_MODES, DOCKER_UNDERLAYS, DOCKERNET_RESERVED, DOCKERNET_LAN, DOCKERNET_UNDERLAY, DOCKERNET_HOST_SUBNETS } from './dockernet.js';
export * from './container.js';
export { AuditReport } from '../audit/schema.js';
export * from './metrics.js';
export * from './trace.js';
export * from './conntrack.js';
export { CniAddParams, CniAttachment, CniCall, CniDiffLine, CniPluginInfo, CniPortMapping, CniResult } from './cni.js';
export * from './firewall.js';
export * from './snapshot.js';
export * from './system.js';
export * from './topology-spec.js';
export { LinkKind, LINK_KINDS, LinkCreateParams, SysctlKey } from './net.js';
export { NodeRouteAddParams, NodeSysctlSetParams } from './net-node.js';
export { ApplyResult, TopologyDiagnostic, TopologyPreview } from './topology.js';
export { CheckResult, LabProgress, LabSummary, ProbeResult, StepResult } from './labs.js';
export * from './why.js';
export { PTY_GRACE, PTY_LIMITS, PTY_WATERMARKS, PtyInfo, PtyTarget } from './pty.js';
