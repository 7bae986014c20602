// `nslab container run|ls|exec|stop|rm|inspect|export`: containers built by hand from namespaces, a
// busybox rootfs, pivot_root, a cgroup and a veth — no runtime, no registry.
import type { Command } from 'commander';
import { ContainerRunParams, type ContainerInfo, type Params } from '../../shared/contract/index.js';
import { NslabError, zodToNslabError } from '../../shared/errors.js';
import { printJson, withClient } from '../output.js';
import { addLimitFlags, limitsFromOptions } from './limit-flags.js';
import { attachContainerTty } from './container-tty.js';

type Opts = Record<string, unknown> & { json?: boolean };
const out = (s: string): void => void process.stdout.write(s);
const collect = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').filter(Boolean)];

/** `none`, `NODE`, `bridge:NODE/BR` → the contract's net. */
export function parseNet(text: string): Params<'container.run'>['net'] {
  if (text === 'none') return 'none';
  const bridge = /^bridge:([^/]+)\/(.+)$/.exec(text);
  if (bridge) return { node: bridge[1]!, bridge: bridge[2]! };
  if (text.startsWith('bridge:')) throw new NslabError('invalid-params', `--net ${text}: a bridge is given as bridge:NODE/BRIDGE`, { field: 'net' });
  return { node: text };
}

/** `0:100000:65536` → an ID map line. */
function parseMapLine(text: string, field: string): { inside: number; outside: number; count: number } {
  const m = /^(\d+):(\d+):(\d+)$/.exec(text);
  if (!m) throw new NslabError('invalid-params', `${field} ${text}: expected INSIDE:OUTSIDE:COUNT, e.g. 0:100000:65536`, { field });
  return { inside: Number(m[1]), outside: Number(m[2]), count: Number(m[3]) };
}

/** Checks everything before the helper is reached, naming the flag that is wrong. */
export function runParams(argv: string[], o: Opts): Params<'container.run'> {
  const params = {
    ...(typeof o.name === 'string' ? { name: o.name } : {}),
    rootfs: (o.rootfs as string | undefined) ?? 'busybox',
    limits: limitsFromOptions(o),
    net: parseNet((o.net as string | undefined) ?? 'none'),
    ...(o.ip ? { ip: o.ip as string } : {}),
    ...(o.gateway ? { gateway: o.gateway as string } : {}),
    userns: !!o.userns,
    ...(o.uidMap ? { uidMap: (o.uidMap as string[]).map((l) => parseMapLine(l, '--uid-map')) } : {}),
    ...(o.gidMap ? { gidMap: (o.gidMap as string[]).map((l) => parseMapLine(l, '--gid-map')) } : {}),
    ...(o.hostname ? { hostname: o.hostname as string } : {}),
    capDrop: (o.capDrop as string[] | undefined) ?? [],
    capAdd: (o.capAdd as string[] | undefined) ?? [],
    readOnly: !!o.readOnly,
    // commander reads --no-new-privs as the negation of --new-privs
    noNewPrivs: o.newPrivs === false,
    argv,
    detach: !!o.detach,
    remove: !!o.rm,
  };
  const r = ContainerRunParams.safeParse(params);
  if (!r.success) {
    const e = zodToNslabError(r.error);
    const flag = FLAG_OF[e.data.field?.split('.')[0] ?? ''];
    throw flag ? Object.assign(e, { message: `${flag}: ${e.message.replace(/^[^:]*: /, '')}` }) : e;
  }
  return params;
}

const FLAG_OF: Record<string, string> = {
  name: '--name', rootfs: '--rootfs', limits: 'limits', net: '--net', ip: '--ip', gateway: '--gateway', uidMap: '--uid-map', gidMap: '--gid-map',
  hostname: '--hostname', capDrop: '--cap-drop', capAdd: '--cap-add', argv: 'command',
};

function printRow(c: ContainerInfo): string {
  const net = c.net === 'none' ? 'none' : c.net.bridge ? `bridge:${c.net.node}/${c.net.bridge}` : c.net.node;
  return `${c.name.padEnd(16)} ${c.state.padEnd(8)} ${String(c.pid ?? '-').padEnd(8)} ${(c.userns ? 'userns' : 'root').padEnd(7)} ${net.padEnd(16)} ${c.argv.join(' ')}\n`;
}

export function registerContainer(program: Command): void {
  const c = program.command('container').description('containers by hand: namespaces, busybox rootfs, pivot_root, cgroup, veth');

  addLimitFlags(
    c
      .command('run')
      .argument('<command...>', 'command and arguments (after --), resolved in the container’s rootfs')
      .option('--name <name>', 'container name (default c<random>)')
      .option('--rootfs <busybox|dir>', 'busybox (built by nslab from busybox-static) or a directory holding a root filesystem', 'busybox')
      .option('--net <none|node|bridge:node/br>', 'none, a veth into a topology node, or a veth on bridge BR in node', 'none')
      .option('--ip <cidr>', 'the container’s eth0 address (with --net)')
      .option('--gateway <ip>', 'default route via this address (with --net)')
      .option('--userns', 'a user namespace: root inside is an unprivileged host user')
      .option('--uid-map <inside:outside:count>', 'a uid_map line (repeatable; with --userns)', collect)
      .option('--gid-map <inside:outside:count>', 'a gid_map line (repeatable; with --userns)', collect)
      .option('--hostname <name>', 'hostname inside (default: the container name)')
      .option('--cap-drop <caps>', 'drop capabilities from Docker’s default set (comma separated, ALL)', collect)
      .option('--cap-add <caps>', 'add capabilities (comma separated, ALL)', collect)
      .option('--read-only', 'mount the root filesystem read-only')
      .option('--no-new-privs', 'set no_new_privs (setuid binaries and file capabilities give nothing)')
      .option('-d, --detach', 'start it and return (its output goes to its log)')
      .option('--rm', 'remove the container when it exits')
      .option('--json', 'print the container as JSON'),
  )
    .passThroughOptions()
    .description('build a container step by step and run a command in it')
    .action((command: string[], o: Opts) => {
      const argv = command[0] === '--' ? command.slice(1) : command;
      let params!: Params<'container.run'>;
      return withClient(!!o.json, async (client) => {
        const r = await client.call('container.run', params);
        if (o.json) printJson(r);
        else {
          process.stdout.write(r.stdout);
          process.stderr.write(r.stderr);
          if (o.detach) out(`${r.name}\n`);
        }
        if (o.detach) return 0;
        return r.exit?.code ?? 128 + (r.exit?.signal === 'SIGKILL' ? 9 : 15);
      }, () => (params = runParams(argv, o)));
    });

  c.command('ls')
    .option('--json', 'print as JSON')
    .description('list containers')
    .action((o: Opts) =>
      withClient(!!o.json, async (client) => {
        const listed = await client.call('container.list', {});
        if (o.json) return printJson(listed);
        const { containers } = listed;
        out(`${'NAME'.padEnd(16)} ${'STATE'.padEnd(8)} ${'PID'.padEnd(8)} ${'USER'.padEnd(7)} ${'NET'.padEnd(16)} COMMAND\n`);
        for (const x of containers) out(printRow(x));
      }),
    );

  c.command('exec')
    .argument('<name>')
    .argument('[command...]', 'command and arguments (after --); with -it, /bin/sh when none is given')
    .option('-i, --interactive', 'keep stdin open (with -t: a terminal)')
    .option('-t, --tty', 'a terminal through the helper’s pty layer, on this terminal (use -it)')
    .option('--json', 'print the result as JSON')
    .passThroughOptions()
    .description('run a command inside a running container (-it: an interactive shell)')
    .action((name: string, command: string[], o: Opts & { interactive?: boolean; tty?: boolean }) =>
      withClient(!!o.json, async (client) => {
        const argv = command[0] === '--' ? command.slice(1) : command;
        if (o.tty) return attachContainerTty(client, name, argv);
        if (argv.length === 0) throw new NslabError('invalid-params', 'command: give the command to run (nslab container exec NAME -- CMD…), or -it for a shell', { field: 'command' });
        const r = await client.call('container.exec', { name, argv });
        if (o.json) printJson(r);
        else {
          process.stdout.write(r.stdout);
          process.stderr.write(r.stderr);
        }
        return r.exit.code ?? 128 + (r.exit.signal === 'SIGKILL' ? 9 : 15);
      }),
    );

  c.command('stop')
    .argument('<name>')
    .option('--json', 'print as JSON')
    .description('stop a container (SIGTERM, then SIGKILL to its cgroup)')
    .action((name: string, o: Opts) =>
      withClient(!!o.json, async (client) => {
        const r = await client.call('container.stop', { name });
        if (o.json) printJson(r);
        else out(`${r.name} ${r.state}\n`);
      }),
    );

  c.command('rm')
    .argument('<name>')
    .option('-f, --force', 'stop it first if it is running')
    .option('--json', 'print as JSON')
    .description('remove a container and everything built for it')
    .action((name: string, o: Opts & { force?: boolean }) =>
      withClient(!!o.json, async (client) => {
        const r = await client.call('container.remove', { name, force: !!o.force });
        if (o.json) printJson(r);
        else out(`removed ${r.removed}\n`);
      }),
    );

  c.command('inspect')
    .argument('<name>')
    .option('--json', 'print as JSON')
    .description('a container’s configuration, state and the commands that built it')
    .action((name: string, o: Opts) =>
      withClient(!!o.json, async (client) => {
        const r = await client.call('container.inspect', { name });
        if (o.json) return printJson(r);
        out(printRow(r));
        out(`  rootfs ${r.rootfs}${r.readOnly ? ' (read-only)' : ''}; hostname ${r.hostname}; cgroup ${r.cgroup}\n`);
        out(`  capabilities: ${r.capabilities.join(' ') || 'none'}${r.noNewPrivs ? '; no_new_privs' : ''}\n`);
        if (r.userns) out(`  uid_map: ${r.userns.uidMap.map((l) => `${l.inside} ${l.outside} ${l.count}`).join('; ')}\n`);
        out('  built by:\n');
        for (const l of r.commands) out(`    ${l}\n`);
      }),
    );

  c.command('export')
    .argument('<name>')
    .description('print a shell script that builds the same container')
    .action((name: string) =>
      withClient(false, async (client) => {
        out((await client.call('container.export', { name })).script);
      }),
    );
}
