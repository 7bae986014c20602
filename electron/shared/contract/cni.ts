// `nslab cni add|check|del|ls|diff`: real CNI plugins (containernetworking-plugins) run by a small runtime
// in the helper, following the CNI 1.0 spec, on namespaces nslab owns.
import { z } from 'zod';
import { IfName, NodeName } from '../names.js';
import { defineMethods } from './define.js';

/** The CNI spec's container ID: non-empty, alphanumerics plus underscore, dot and hyphen. */
export const CniContainerId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: 'containerId must be 1–64 letters, digits, _, . or -, starting with a letter or digit' });

/** A CNI_ARGS key or value: the spec joins them as `K=V;K=V`, so neither may hold `;` or `=`. */
const CniArgWord = z.string().regex(/^[A-Za-z0-9_.:/-]{1,128}$/, { error: 'CNI_ARGS keys and values are letters, digits and _ . : / - (no ; or =)' });

const Port = z.number().int({ error: 'a port must be an integer' }).min(1, { error: 'ports are 1–65535' }).max(65535, { error: 'ports are 1–65535' });

/** The `portMappings` capability (portmap plugin): what `-p HOST:CONTAINER/proto` means to CNI. */
export const CniPortMapping = z.strictObject({
  hostPort: Port,
  containerPort: Port,
  protocol: z.enum(['tcp', 'udp'], { error: 'protocol must be tcp or udp' }).default('tcp'),
});
export type CniPortMapping = z.infer<typeof CniPortMapping>;

const PluginDir = z
  .string()
  .regex(/^\/[A-Za-z0-9_./-]*$/, { error: 'a plugin directory is an absolute path' })
  .refine((p) => !p.split('/').includes('..'), { error: "a plugin directory must not contain '..'" });

// ---- the CNI 1.0 result (spec section 5), validated for every plugin's answer ----

export const CniInterface = z.object({
  name: z.string().min(1),
  mac: z.string().optional(),
  mtu: z.number().int().optional(),
  sandbox: z.string().optional(),
  socketPath: z.string().optional(),
  pciID: z.string().optional(),
});
export const CniIp = z.object({
  address: z.string().regex(/^[0-9a-fA-F.:]+\/\d{1,3}$/, { error: 'ips[].address must be an address with prefix' }),
  gateway: z.string().regex(/^[0-9a-fA-F.:]+$/).optional(),
  interface: z.number().int().min(0).optional(),
});
export const CniRoute = z.object({
  dst: z.string().regex(/^[0-9a-fA-F.:]+\/\d{1,3}$/, { error: 'routes[].dst must be a prefix' }),
  gw: z.string().optional(),
  mtu: z.number().int().optional(),
  advmss: z.number().int().optional(),
  priority: z.number().int().optional(),
  table: z.number().int().optional(),
  scope: z.number().int().optional(),
});
export const CniDns = z.object({
  nameservers: z.array(z.string()).optional(),
  domain: z.string().optional(),
  search: z.array(z.string()).optional(),
  options: z.array(z.string()).optional(),
});
export const CniResult = z
  .object({
    cniVersion: z.string().regex(/^1\.\d+\.\d+$/, { error: 'a CNI 1.x result must carry cniVersion 1.x' }),
    interfaces: z.array(CniInterface).optional(),
    ips: z.array(CniIp).optional(),
    routes: z.array(CniRoute).optional(),
    dns: CniDns.optional(),
  })
  .loose()
  .superRefine((r, ctx) => {
    r.ips?.forEach((ip, i) => {
      if (ip.interface !== undefined && ip.interface >= (r.interfaces?.length ?? 0)) {
        ctx.addIssue({ code: 'custom', path: ['ips', i, 'interface'], message: `ips[${i}].interface ${ip.interface} names no entry of interfaces[]` });
      }
    });
  });
export type CniResult = z.infer<typeof CniResult>;

/** One network attached to one container interface: what nslab ran and what the plugins answered. */
export const CniAttachment = z.object({
  /** `<network>.<containerId>.<ifname>`: the ledger's name for it. */
  id: z.string(),
  network: z.string(),
  containerId: z.string(),
  /** The container's node and the runtime ("host") node the plugins ran in. */
  node: z.string(),
  host: z.string(),
  ifname: z.string(),
  plugins: z.array(z.string()),
  portMappings: z.array(CniPortMapping),
  /** The final ADD result, cached for CHECK and DEL as the spec requires; null while ADD runs. */
  result: CniResult.nullable(),
  createdAt: z.string(),
});
export type CniAttachment = z.infer<typeof CniAttachment>;

/** One plugin call as it ran: the command, the env, what it answered. */
export const CniCall = z.object({
  plugin: z.string(),
  command: z.enum(['ADD', 'CHECK', 'DEL', 'VERSION']),
  ok: z.boolean(),
  ms: z.number(),
  /** The plugin's stdout, parsed (a result, or nothing for CHECK/DEL). */
  output: z.unknown().optional(),
});
export type CniCall = z.infer<typeof CniCall>;

export const CniPluginInfo = z.object({
  plugin: z.string(),
  path: z.string().nullable(),
  /** From `CNI_COMMAND=VERSION`. */
  supportedVersions: z.array(z.string()),
  /** The package's version line (`CNI bridge plugin v1.1.1`), when the plugin prints one. */
  about: z.string().nullable(),
});
export type CniPluginInfo = z.infer<typeof CniPluginInfo>;

/** One line of the CNI-vs-Docker comparison, in words. */
export const CniDiffLine = z.object({
  topic: z.enum(['bridge', 'veth', 'address', 'route', 'sysctl', 'nat', 'filter', 'publish']),
  cni: z.array(z.string()),
  docker: z.array(z.string()),
  words: z.string(),
});
export type CniDiffLine = z.infer<typeof CniDiffLine>;

const Target = {
  /** The container's node: its namespace is CNI_NETNS. */
  node: NodeName,
  containerId: CniContainerId.optional(),
  ifname: IfName.default('eth0'),
};

export const CniAddParams = z.strictObject({
  /** The network configuration list (.conflist) or a single network config, as JSON text. */
  config: z.string().min(2, { error: 'config: give the .conflist JSON text' }).max(256 * 1024),
  ...Target,
  /** The runtime's node: the plugins run in its namespace (bridges, NAT rules live there). */
  host: NodeName,
  args: z.record(CniArgWord, CniArgWord).default({}),
  portMappings: z.array(CniPortMapping).max(32).default([]),
  /** Where plugins are looked for before /usr/lib/cni and /opt/cni/bin (CNI_PATH). */
  pluginDirs: z.array(PluginDir).max(8).default([]),
});

const CniTargetParams = z.strictObject({ ...Target, network: z.string().min(1).max(128).optional() });

export const cni = defineMethods({
  'cni.add': {
    summary: 'Run a CNI network configuration list (ADD, prevResult chained) for a node nslab owns.',
    renderer: false, // runs programs (as root) from `pluginDirs`: a page must never choose them; CLI and labs only
    params: CniAddParams,
    result: z.object({ attachment: CniAttachment, calls: z.array(CniCall) }),
  },
  'cni.check': {
    summary: 'CNI CHECK of an attachment: every plugin verifies what it built against the cached result.',
    renderer: true,
    params: CniTargetParams,
    result: z.object({ attachment: CniAttachment, calls: z.array(CniCall) }),
  },
  'cni.del': {
    summary: 'CNI DEL of an attachment (plugins in reverse order), then forget it.',
    renderer: true,
    params: CniTargetParams,
    result: z.object({ id: z.string(), calls: z.array(CniCall) }),
  },
  'cni.ls': {
    summary: 'The CNI attachments nslab made, with their cached results.',
    renderer: true,
    params: z.strictObject({}),
    result: z.object({ attachments: z.array(CniAttachment) }),
  },
  'cni.plugins': {
    summary: 'The installed CNI plugins and the spec versions each supports (CNI_COMMAND=VERSION).',
    renderer: false, // runs every executable in `pluginDirs` with CNI_COMMAND=VERSION; doctor shows the installed ones
    params: z.strictObject({ pluginDirs: z.array(PluginDir).max(8).default([]) }),
    result: z.object({ dirs: z.array(z.string()), plugins: z.array(CniPluginInfo) }),
  },
  'cni.diff': {
    summary: 'What bridge+portmap built for a container next to what the Docker emulator built, in words.',
    renderer: true,
    params: z.strictObject({
      node: NodeName,
      containerId: CniContainerId.optional(),
      ifname: IfName.default('eth0'),
      /** The dockernet (`nslab dockernet up --name`) and its container to compare with. */
      dockernet: z.string().regex(/^[a-z][a-z0-9]{0,7}$/, { error: 'dockernet: 1–8 lowercase letters or digits' }).default('dk'),
      container: z.string().regex(/^[a-z][a-z0-9]{0,7}$/, { error: 'container: 1–8 lowercase letters or digits' }),
    }),
    result: z.object({ lines: z.array(CniDiffLine) }),
  },
});
