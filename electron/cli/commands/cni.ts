// `nslab cni add|check|del|ls|plugins|diff`: real CNI plugins run by the helper's small runtime on nodes
// nslab owns; `diff` sets what bridge+portmap built beside what the Docker emulator built.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { methods, type CniAttachment, type CniCall, type Params, type ParsedParams } from '../../shared/contract/index.js';
import { NslabError, zodToNslabError } from '../../shared/errors.js';
import { printJson, withClient } from '../output.js';

type CniMethod = 'cni.add' | 'cni.check' | 'cni.del' | 'cni.plugins' | 'cni.diff';
function parse<M extends CniMethod>(method: M, params: unknown): ParsedParams<M> {
  const parsed = methods[method].params.safeParse(params);
  if (!parsed.success) throw zodToNslabError(parsed.error);
  return parsed.data as ParsedParams<M>;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--publish 8080:80[/udp]`, as portmap's portMappings capability. */
export function parsePublish(spec: string): { hostPort: number | string; containerPort: number | string; protocol: string } {
  const m = /^(\d+):(\d+)(?:\/(\w+))?$/.exec(spec);
  if (!m) throw new NslabError('invalid-params', `publish: expected HOST:CONTAINER[/tcp|udp], e.g. 8080:80, got ${JSON.stringify(spec)}`, { field: 'portMappings' });
  return { hostPort: Number(m[1]), containerPort: Number(m[2]), protocol: m[3] ?? 'tcp' };
}

function parseArgs(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((kv) => {
      const at = kv.indexOf('=');
      if (at <= 0) throw new NslabError('invalid-params', `args: expected KEY=VALUE, got ${JSON.stringify(kv)}`, { field: 'args' });
      return [kv.slice(0, at), kv.slice(at + 1)];
    }),
  );
}

function readConfig(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new NslabError('not-found', `config: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { field: 'config' });
  }
}

const renderCalls = (calls: CniCall[]): string => calls.map((c) => `  ${c.command} ${c.plugin}${c.ok ? '' : ' (failed)'} ${c.ms} ms`).join('\n');

export function renderAttachment(a: CniAttachment): string {
  const r = a.result;
  const ifs = (r?.interfaces ?? []).map((i, n) => `    [${n}] ${i.name}${i.mac ? ` ${i.mac}` : ''}${i.sandbox ? ` in ${i.sandbox}` : ' (host side)'}`);
  const ips = (r?.ips ?? []).map((ip) => `    ${ip.address}${ip.gateway ? ` gw ${ip.gateway}` : ''}${ip.interface !== undefined ? ` on [${ip.interface}]` : ''}`);
  const routes = (r?.routes ?? []).map((rt) => `    ${rt.dst}${rt.gw ? ` via ${rt.gw}` : ''}`);
  const ports = a.portMappings.map((p) => `${p.hostPort}→${p.containerPort}/${p.protocol}`).join(', ');
  return [
    `${a.id}: network ${a.network}, container ${a.containerId} (node ${a.node}, ${a.ifname}), plugins run in ${a.host}: ${a.plugins.join(' → ')}${ports ? `, ports ${ports}` : ''}`,
    ...(r ? ['  interfaces:', ...ifs, '  ips:', ...ips, ...(routes.length ? ['  routes:', ...routes] : [])] : ['  (ADD did not finish)']),
  ].join('\n');
}

interface TargetOpts {
  containerId?: string;
  ifname?: string;
  network?: string;
  json?: boolean;
}
const target = (node: string, o: TargetOpts) => ({ node, ...(o.containerId ? { containerId: o.containerId } : {}), ...(o.ifname ? { ifname: o.ifname } : {}), ...(o.network ? { network: o.network } : {}) });

export function registerCni(program: Command): void {
  const cni = program.command('cni').description('run real CNI plugins (bridge, host-local, portmap, …) on nodes nslab owns');

  cni
    .command('add')
    .argument('<node>', 'the container node (its namespace is CNI_NETNS)')
    .requiredOption('--host <node>', 'the node the plugins run in (bridges and NAT rules go there)')
    .requiredOption('--config <file>', 'network configuration list (.conflist) JSON, or - for stdin')
    .option('--container-id <id>', 'CNI_CONTAINERID (default: the node name)')
    .option('--ifname <name>', 'CNI_IFNAME (default eth0)')
    .option('--publish <HOST:CONTAINER[/proto]>', 'a port mapping for portmap (repeatable)', collect, [])
    .option('--arg <KEY=VALUE>', 'a CNI_ARGS pair (repeatable)', collect, [])
    .option('--plugin-dir <dir>', 'look for plugins here first (repeatable; then /usr/lib/cni, /opt/cni/bin)', collect, [])
    .option('--json', 'print the attachment and every plugin call as JSON')
    .description('CNI ADD: every plugin of the list in order, each given the previous result (prevResult)')
    .action((node: string, o: TargetOpts & { host: string; config: string; publish: string[]; arg: string[]; pluginDir: string[] }) => {
      let params: Params<'cni.add'> | undefined;
      return withClient(!!o.json, async (client) => {
        const r = await client.call('cni.add', params!);
        if (o.json) return void printJson(r);
        process.stdout.write(`${renderAttachment(r.attachment)}\n${renderCalls(r.calls)}\n`);
      }, () => {
        params = parse('cni.add', { ...target(node, o), host: o.host, config: readConfig(o.config), portMappings: o.publish.map(parsePublish), args: parseArgs(o.arg), pluginDirs: o.pluginDir });
      });
    });

  for (const [name, method, what] of [
    ['check', 'cni.check', 'CNI CHECK: every plugin verifies what it built against the cached ADD result'],
    ['del', 'cni.del', 'CNI DEL: plugins in reverse order with the cached result; the lease and the rules go'],
  ] as const) {
    cni
      .command(name)
      .argument('<node>', 'the container node')
      .option('--network <name>', 'which network, when the node has several on the interface')
      .option('--container-id <id>', 'CNI_CONTAINERID (default: the node name)')
      .option('--ifname <name>', 'CNI_IFNAME (default eth0)')
      .option('--json', 'print the plugin calls as JSON')
      .description(what)
      .action((node: string, o: TargetOpts) =>
        withClient(!!o.json, async (client) => {
          const r = await client.call(method, target(node, o));
          if (o.json) return void printJson(r);
          process.stdout.write(`${'attachment' in r ? r.attachment.id : r.id}: ${name} ok\n${renderCalls(r.calls)}\n`);
        }, () => parse(method, target(node, o))),
      );
  }

  cni
    .command('ls')
    .option('--json', 'print the attachments as JSON')
    .description('the attachments nslab made, with their cached results')
    .action((o: { json?: boolean }) =>
      withClient(!!o.json, async (client) => {
        const r = await client.call('cni.ls', {});
        if (o.json) return void printJson(r);
        if (r.attachments.length === 0) process.stdout.write('no CNI attachments\n');
        for (const a of r.attachments) process.stdout.write(`${renderAttachment(a)}\n`);
      }),
    );

  cni
    .command('plugins')
    .option('--plugin-dir <dir>', 'look here too (repeatable)', collect, [])
    .option('--json', 'print as JSON')
    .description('installed plugins and the CNI versions each supports (CNI_COMMAND=VERSION)')
    .action((o: { pluginDir: string[]; json?: boolean }) =>
      withClient(!!o.json, async (client) => {
        const r = await client.call('cni.plugins', { pluginDirs: o.pluginDir });
        if (o.json) return void printJson(r);
        if (r.plugins.length === 0) process.stdout.write(`no CNI plugins in ${r.dirs.join(', ')}; install them with: apt install containernetworking-plugins\n`);
        for (const p of r.plugins) process.stdout.write(`${p.plugin.padEnd(12)} ${p.path}  CNI ${p.supportedVersions.join(', ') || '(no VERSION answer)'}\n`);
      }, () => parse('cni.plugins', { pluginDirs: o.pluginDir })),
    );

  cni
    .command('diff')
    .argument('<node>', 'the CNI container node')
    .option('--dockernet <name>', 'the dockernet to compare with (default dk)')
    .requiredOption('--container <c>', 'its container')
    .option('--container-id <id>', 'CNI_CONTAINERID of the attachment (default: the node name)')
    .option('--ifname <name>', 'the attachment interface (default eth0)')
    .option('--json', 'print the comparison as JSON')
    .description('what bridge+portmap built next to what the Docker emulator built, in words')
    .action((node: string, o: TargetOpts & { dockernet?: string; container: string }) => {
      const params = { node, container: o.container, ...(o.dockernet ? { dockernet: o.dockernet } : {}), ...(o.containerId ? { containerId: o.containerId } : {}), ...(o.ifname ? { ifname: o.ifname } : {}) };
      return withClient(!!o.json, async (client) => {
        const r = await client.call('cni.diff', params);
        if (o.json) return void printJson(r);
        for (const l of r.lines) {
          process.stdout.write(`\n== ${l.topic}\n${l.words}\n`);
          process.stdout.write(`  CNI:    ${l.cni.length ? l.cni.join('\n          ') : '(nothing)'}\n  Docker: ${l.docker.length ? l.docker.join('\n          ') : '(nothing)'}\n`);
        }
      }, () => parse('cni.diff', params));
    });
}
