// `nslab dockernet up|show|down`: Docker's network modes rebuilt from primitives.
import { z } from 'zod';
import { Ipv4Cidr } from '../names.js';
import { defineMethods } from './define.js';

export const DOCKER_NETWORK_MODES = ['bridge', 'host', 'none', 'macvlan', 'ipvlan'] as const;
export const DOCKER_ENGINES = ['20.10', '28'] as const;
/** How `--hosts 2` connects the two hosts' container ranges: a VXLAN overlay, or plain routes on the underlay. */
export const DOCKER_UNDERLAYS = ['vxlan', 'routing'] as const;
/** Node names dockernet gives its own machines: a container may not take them. */
export const DOCKERNET_RESERVED = ['host', 'host1', 'host2', 'out', 'under'] as const;
/** The "outside" LAN of a one-host dockernet (TEST-NET-2): the host is .1, the outside node .2. */
export const DOCKERNET_LAN = '198.51.100.0/24';
/** The two-host underlay (TEST-NET-1), and each host's fixed container range. */
export const DOCKERNET_UNDERLAY = '192.0.2.0/24';
export const DOCKERNET_HOST_SUBNETS = ['172.18.0.0/16', '172.19.0.0/16'] as const;

/** A dockernet's name: its nodes are `<name>-host` and `<name>-<container>`. */
const DockernetName = z.string().regex(/^[a-z][a-z0-9]{0,7}$/, { error: 'name must be 1–8 lowercase letters or digits, starting with a letter' });
const ContainerName = z.string().regex(/^[a-z][a-z0-9]{0,7}$/, { error: 'a container name must be 1–8 lowercase letters or digits, starting with a letter' });
const Port = z.number({ error: 'a port must be a number' }).int({ error: 'a port must be an integer' }).min(1, { error: 'ports are 1–65535' }).max(65535, { error: 'ports are 1–65535' });

export const PublishSpec = z.strictObject({ hostPort: Port, container: ContainerName, containerPort: Port });

export const DockernetUpParams = z
  .strictObject({
    name: DockernetName.default('dk'),
    containers: z.array(ContainerName).min(1, { error: 'give at least one container' }).max(16).default(['c1', 'c2']),
    publish: z.array(PublishSpec).default([]),
    network: z.enum(DOCKER_NETWORK_MODES, { error: `network must be one of ${DOCKER_NETWORK_MODES.join(', ')}` }).default('bridge'),
    subnet: Ipv4Cidr.default('172.17.0.0/16'),
    engine: z.enum(DOCKER_ENGINES, { error: `engine must be one of ${DOCKER_ENGINES.join(', ')}` }).default('20.10'),
    /** 2: two simulated Docker hosts on a shared underlay bridge (172.18.0.0/16 and 172.19.0.0/16). */
    hosts: z.union([z.literal(1), z.literal(2)], { error: 'hosts must be 1 or 2' }).default(1),
    underlay: z.enum(DOCKER_UNDERLAYS, { error: `underlay must be one of ${DOCKER_UNDERLAYS.join(', ')}` }).default('vxlan'),
    /** Containers that run `busybox httpd -f -p 80` (what `docker run busybox httpd` would). */
    httpd: z.array(ContainerName).default([]),
    /** A user-defined bridge network next to docker0 (`docker network create`): bridge br-nslabnet. */
    userNetwork: z.strictObject({ subnet: Ipv4Cidr.default('172.18.0.0/16'), containers: z.array(ContainerName).min(1, { error: 'a user network needs a container' }).max(8) }).optional(),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.containers.forEach((c, i) => {
      if (seen.has(c)) ctx.addIssue({ code: 'custom', path: ['containers', i], message: `container ${c} is listed twice` });
      seen.add(c);
    });
    p.userNetwork?.containers.forEach((c, i) => {
      if (seen.has(c)) ctx.addIssue({ code: 'custom', path: ['userNetwork', 'containers', i], message: `container ${c} is listed twice` });
      seen.add(c);
    });
    if (p.userNetwork && (p.network !== 'bridge' || p.hosts !== 1)) ctx.addIssue({ code: 'custom', path: ['userNetwork'], message: '--user-network needs --network bridge on one host' });
    [...p.containers, ...(p.userNetwork?.containers ?? [])].forEach((c, i) => {
      if ((DOCKERNET_RESERVED as readonly string[]).includes(c)) ctx.addIssue({ code: 'custom', path: ['containers', i], message: `container name ${c} is taken by dockernet's own nodes (${DOCKERNET_RESERVED.join(', ')})` });
    });
    p.httpd.forEach((c, i) => {
      if (!seen.has(c)) ctx.addIssue({ code: 'custom', path: ['httpd', i], message: `unknown container ${c}; containers are ${p.containers.join(', ')}` });
      if (p.network === 'host') ctx.addIssue({ code: 'custom', path: ['httpd', i], message: '--httpd needs a container namespace (not --network host)' });
    });
    if (p.hosts === 2) {
      if (p.network !== 'bridge') ctx.addIssue({ code: 'custom', path: ['hosts'], message: '--hosts 2 needs --network bridge' });
      if (p.containers.length < 2) ctx.addIssue({ code: 'custom', path: ['containers'], message: '--hosts 2 needs at least two containers (they are spread over the hosts in turn)' });
      if (p.publish.length) ctx.addIssue({ code: 'custom', path: ['publish'], message: '--publish is for one host; with --hosts 2 the containers talk to each other directly' });
      if (p.subnet !== '172.17.0.0/16') ctx.addIssue({ code: 'custom', path: ['subnet'], message: `--hosts 2 uses the fixed ranges ${DOCKERNET_HOST_SUBNETS.join(' and ')}; leave --subnet out` });
    }
    const hostPorts = new Set<number>();
    p.publish.forEach((pub, i) => {
      if (!seen.has(pub.container)) ctx.addIssue({ code: 'custom', path: ['publish', i, 'container'], message: `unknown container ${pub.container}; containers are ${[...seen].join(', ')}` });
      if (hostPorts.has(pub.hostPort)) ctx.addIssue({ code: 'custom', path: ['publish', i, 'hostPort'], message: `host port ${pub.hostPort} is published twice` });
      hostPorts.add(pub.hostPort);
    });
    if (p.publish.length && p.network !== 'bridge') ctx.addIssue({ code: 'custom', path: ['publish'], message: `--publish needs --network bridge (Docker ignores it in ${p.network} mode)` });
    const prefix = Number(p.subnet.split('/')[1]);
    if (prefix > 28) ctx.addIssue({ code: 'custom', path: ['subnet'], message: 'subnet must be /28 or larger' });
    if (p.subnet.startsWith('127.')) ctx.addIssue({ code: 'custom', path: ['subnet'], message: 'subnet must not be in 127.0.0.0/8' });
  });

/** One object Docker would have made, with why. */
export const DockernetObject = z.object({
  kind: z.enum(['node', 'link', 'address', 'route', 'sysctl', 'chain', 'rule', 'fdb', 'process']),
  node: z.string(),
  /** What a person would recognise: `docker0 172.17.0.1/16`, `-A FORWARD -j DOCKER-USER`. */
  text: z.string(),
  /** iptables table and chain, for rules and chains (links the Firewall panel's rule). */
  table: z.string().optional(),
  chain: z.string().optional(),
  /** One sentence of why Docker made it, in English… */
  why: z.string(),
  /** …and in Korean (the CLI prints the one of its language, the panel the one of the UI's). */
  whyKo: z.string(),
  /** The sentence's key in shared/dockernet/why.ts. */
  whyKey: z.string(),
  /** Stable id of the object's role (e.g. `veth`, `rule-nat-DOCKER`). */
  key: z.string().optional(),
});
export type DockernetObject = z.infer<typeof DockernetObject>;

export const DockernetShow = z.object({
  name: z.string(),
  engine: z.enum(DOCKER_ENGINES),
  network: z.enum(DOCKER_NETWORK_MODES),
  objects: z.array(DockernetObject),
  /** The host namespace's rules as dockerd would print them (iptables-save, nslab comments set aside). */
  rules: z.string(),
  /** --hosts 2: each host's rules the same way, by node. */
  hostRules: z.record(z.string(), z.string()).optional(),
  /** --hosts 2 over VXLAN: `bridge fdb show dev vxlan0` of each host, as printed. */
  fdb: z.record(z.string(), z.array(z.string())).optional(),
});

export const dockernet = defineMethods({
  'dockernet.up': {
    summary: 'Build a simulated Docker host and its containers exactly as dockerd would (idempotent).',
    renderer: true,
    params: DockernetUpParams,
    result: z.object({ name: z.string(), created: z.array(z.string()), ms: z.number() }),
  },
  'dockernet.show': {
    summary: 'Every object of a dockernet with one sentence of why Docker made it.',
    renderer: true,
    params: z.strictObject({ name: DockernetName.default('dk') }),
    result: DockernetShow,
  },
  'dockernet.down': {
    summary: 'Remove exactly what a dockernet created.',
    renderer: true,
    params: z.strictObject({ name: DockernetName.default('dk') }),
    result: z.object({ name: z.string(), removed: z.array(z.string()) }),
  },
});
