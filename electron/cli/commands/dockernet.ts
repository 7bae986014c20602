// `nslab dockernet up|show|down`: Docker's network modes rebuilt from primitives (bridge, published ports,
// host, none, macvlan, two hosts over VXLAN or direct routing), every object explained.
import type { Command } from 'commander';
import { methods, type Params, type Result } from '../../shared/contract/index.js';
import { NslabError, zodToNslabError } from '../../shared/errors.js';
import { printJson, withClient } from '../output.js';
import type { z } from 'zod';

type UpOpts = {
  name?: string;
  containers?: string;
  publish?: string[];
  network?: string;
  subnet?: string;
  engine?: string;
  hosts?: string;
  underlay?: string;
  httpd?: string;
  userNetwork?: string;
  json?: boolean;
};

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `HOST:CONTAINER:PORT`, e.g. `8080:c1:80` (Docker's `-p 8080:80` on container c1). */
function parsePublish(spec: string, i: number): { hostPort: number; container: string; containerPort: number } {
  const m = /^(\d{1,6}):([a-z][a-z0-9]*):(\d{1,6})$/.exec(spec);
  if (!m) throw new NslabError('invalid-params', `--publish ${spec}: expected HOST:CONTAINER:PORT, e.g. 8080:c1:80`, { field: `publish.${i}` });
  return { hostPort: Number(m[1]), container: m[2]!, containerPort: Number(m[3]) };
}

/** `c3,c4` or `c3,c4@172.18.0.0/16`. */
function parseUserNetwork(spec: string): { containers: string[]; subnet?: string } {
  const [names, subnet] = spec.split('@');
  return { containers: list(names ?? ''), ...(subnet ? { subnet } : {}) };
}

export function upParams(opts: UpOpts): z.input<(typeof methods)['dockernet.up']['params']> {
  const hosts = opts.hosts === undefined ? undefined : /^\d+$/.test(opts.hosts) ? Number(opts.hosts) : opts.hosts;
  return {
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.containers !== undefined ? { containers: list(opts.containers) } : {}),
    ...(opts.publish?.length ? { publish: opts.publish.map(parsePublish) } : {}),
    ...(opts.network !== undefined ? { network: opts.network } : {}),
    ...(opts.subnet !== undefined ? { subnet: opts.subnet } : {}),
    ...(opts.engine !== undefined ? { engine: opts.engine } : {}),
    ...(hosts !== undefined ? { hosts } : {}),
    ...(opts.underlay !== undefined ? { underlay: opts.underlay } : {}),
    ...(opts.httpd !== undefined ? { httpd: list(opts.httpd) } : {}),
    ...(opts.userNetwork !== undefined ? { userNetwork: parseUserNetwork(opts.userNetwork) } : {}),
  } as z.input<(typeof methods)['dockernet.up']['params']>;
}

function precheck(params: unknown): void {
  const parsed = methods['dockernet.up'].params.safeParse(params);
  if (!parsed.success) throw zodToNslabError(parsed.error);
}

/** The language of the sentences: --lang, else LANG (ko… → Korean), as `nslab why` chooses. */
export const showLang = (lang: string | undefined, env = process.env.LANG): 'en' | 'ko' => (lang === 'ko' || (!lang && /^ko/.test(env ?? '')) ? 'ko' : 'en');

export function renderShow(s: Result<'dockernet.show'>, lang: 'en' | 'ko' = 'en'): string {
  const lines = [`dockernet ${s.name}: --network ${s.network}, engine ${s.engine}`];
  const byNode = new Map<string, typeof s.objects>();
  for (const o of s.objects) byNode.set(o.node, [...(byNode.get(o.node) ?? []), o]);
  for (const [node, objects] of byNode) {
    lines.push('', node);
    for (const o of objects) lines.push(`  ${o.kind.padEnd(8)} ${o.text}`, `           ↳ ${lang === 'ko' ? o.whyKo : o.why}`);
  }
  if (s.fdb) for (const [n, entries] of Object.entries(s.fdb)) lines.push('', `${n}: bridge fdb show dev vxlan0`, ...entries.map((e) => `  ${e}`));
  if (s.hostRules) for (const [n, rules] of Object.entries(s.hostRules)) lines.push('', `${n}: iptables-save (nslab comments set aside)`, rules.trimEnd());
  else if (s.rules.trim()) lines.push('', 'iptables-save of the host (nslab comments set aside):', s.rules.trimEnd());
  return `${lines.join('\n')}\n`;
}

export function registerDockernet(program: Command): void {
  const dn = program.command('dockernet').description("Docker's network modes rebuilt on the real kernel, every object explained");

  dn.command('up')
    .option('--name <name>', 'dockernet name: nodes <name>-host, <name>-<container>, <name>-out', 'dk')
    .option('--containers <list>', 'containers in start order, comma-separated', 'c1,c2')
    .option('--publish <HOST:CONTAINER:PORT>', 'publish a port, like docker run -p HOST:PORT (repeatable)', collect)
    .option('--network <mode>', 'bridge, host, none, macvlan or ipvlan', 'bridge')
    .option('--subnet <cidr>', 'docker0 subnet (bridge) or the LAN (macvlan)')
    .option('--engine <version>', "whose rules: dockerd 20.10 or moby 28's layout", '20.10')
    .option('--hosts <n>', '2: two Docker hosts on a shared underlay (172.18.0.0/16, 172.19.0.0/16)')
    .option('--underlay <how>', 'with --hosts 2: vxlan or routing', 'vxlan')
    .option('--httpd <list>', 'containers that run busybox httpd -f -p 80')
    .option('--user-network <list[@cidr]>', 'containers on a user-defined bridge (br-nslabnet) next to docker0')
    .option('--json', 'print the result as JSON')
    .description('build a simulated Docker host and its containers exactly as dockerd would (idempotent)')
    .action((opts: UpOpts) => {
      let params: Params<'dockernet.up'> | undefined;
      return withClient(
        !!opts.json,
        async (client) => {
          const r = await client.call('dockernet.up', params!);
          if (opts.json) printJson(r);
          else process.stdout.write(`dockernet ${r.name} is up: ${r.created.length} created (${r.ms} ms); see nslab dockernet show --name ${r.name}\n`);
        },
        () => {
          params = upParams(opts) as Params<'dockernet.up'>;
          precheck(params);
        },
      );
    });

  dn.command('show')
    .option('--name <name>', 'dockernet name', 'dk')
    .option('--lang <lang>', 'en or ko (default: from LANG)')
    .option('--json', 'print JSON (both languages: why and whyKo)')
    .description('every link, address, route, rule and process with one sentence of why Docker made it')
    .action((opts: { name: string; lang?: string; json?: boolean }) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('dockernet.show', { name: opts.name });
        if (opts.json) printJson(r);
        else process.stdout.write(renderShow(r, showLang(opts.lang)));
      }),
    );

  dn.command('down')
    .option('--name <name>', 'dockernet name', 'dk')
    .option('--json', 'print JSON')
    .description('remove exactly what the dockernet created (processes, rules, links, namespaces)')
    .action((opts: { name: string; json?: boolean }) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('dockernet.down', { name: opts.name });
        if (opts.json) printJson(r);
        else process.stdout.write(`dockernet ${r.name} is down: removed ${r.removed.length} objects\n`);
      }),
    );
}
