// Node-scoped network changes, the ones a page may make: each acts only inside a namespace nslab owns (a
// node it recorded), never in the root namespace — the root-capable net.route.* / net.sysctl.set stay CLI-only.
import { z } from 'zod';
import { IfName, IpAddress, NodeName, RouteDestination } from '../names.js';
import { NodeSysctlName, sysctlValueProblem } from '../sysctl.js';
import { defineMethods } from './define.js';

/**
 * Optional in the schema so that leaving it out is answered by the helper with `permission-denied` (the
 * root namespace is not a node) rather than a bare "missing".
 */
const node = NodeName.optional();

const NodeRoute = z.strictObject({ node, to: RouteDestination, via: IpAddress.optional(), dev: IfName.optional() });

export const NodeRouteAddParams = NodeRoute.refine((r) => r.via !== undefined || r.dev !== undefined, { error: 'a route needs via (a gateway) or dev (an interface)', path: ['via'] });

export const NodeSysctlSetParams = z
  .strictObject({ node, name: NodeSysctlName, value: z.number({ error: 'value must be a number' }).int({ error: 'value must be a whole number' }) })
  .superRefine((p, ctx) => {
    const problem = sysctlValueProblem(p.name, p.value);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
  });

export const netNode = defineMethods({
  'net.node.route.add': {
    summary: 'Add (or replace) a route, `default` included, inside an nslab node.',
    renderer: true,
    params: NodeRouteAddParams,
    result: z.object({ node: z.string(), to: z.string() }),
  },
  'net.node.route.delete': {
    summary: 'Delete a route inside an nslab node.',
    renderer: true,
    params: NodeRoute,
    result: z.object({ node: z.string(), to: z.string() }),
  },
  'net.node.sysctl.set': {
    summary: 'Set net.ipv4.ip_forward or a conf entry’s rp_filter/forwarding inside an nslab node.',
    renderer: true,
    params: NodeSysctlSetParams,
    result: z.object({ node: z.string(), name: z.string(), value: z.number() }),
  },
});
