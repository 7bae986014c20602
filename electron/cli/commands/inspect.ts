// `nslab inspect PID`: what isolates a process from the host, and what does not.
import type { Command } from 'commander';
import type { IsolationView } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { printJson, withClient } from '../output.js';

const out = (s: string): void => void process.stdout.write(s);

export function printIsolation(v: IsolationView): void {
  out(`process ${v.pid}: ${v.command}\n`);
  out(`namespaces (inode, vs the host = ${v.hostReference}):\n`);
  for (const n of v.namespaces) out(`  ${n.type.padEnd(7)} ${String(n.inode).padEnd(12)} ${n.shared ? 'shared with the host' : 'private'}\n`);
  const u = v.user;
  out(`user: uid ${u.uids.join('/')} gid ${u.gids.join('/')}; uid_map ${u.uidMap.map((l) => `${l.inside} ${l.outside} ${l.count}`).join('; ') || '—'}; root is host uid ${u.rootOnHost ?? 'unmapped'}; setgroups ${u.setgroups ?? '—'}\n`);
  out(`capabilities: effective ${v.capabilities.effective.join(',') || 'none'}\n`);
  out(`              bounding  ${v.capabilities.bounding.join(',') || 'none'}\n`);
  out(`no_new_privs ${v.noNewPrivs ? 'yes' : 'no'}; seccomp ${v.seccomp}; LSM ${v.lsm.name ?? 'none'} ${v.lsm.current ?? ''}\n`);
  out('cgroups:\n');
  for (const c of v.cgroups) out(`  ${c.hierarchy.padEnd(16)} ${c.path} ${Object.entries(c.limits).map(([k, x]) => `${k}=${x}`).join(' ')}\n`);
  out('mounts:\n');
  for (const m of v.mounts) out(`  ${m.target.padEnd(28)} ${m.fstype.padEnd(10)} ${m.readOnly ? 'ro' : 'rw'} ${m.propagation}\n`);
  if (v.network) {
    out('network:\n');
    for (const l of v.network.links) out(`  ${l.name.padEnd(12)} ${l.state.padEnd(8)} ${l.addresses.join(' ')}\n`);
    for (const r of v.network.routes) out(`  route ${r}\n`);
  }
  for (const x of v.unreadable) out(`(could not read ${x})\n`);
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .argument('<pid>', 'any process: a container’s, a lab’s, any PID')
    .option('--json', 'print as JSON')
    .description('the isolation view of a process: namespaces, ID maps, capabilities, seccomp, LSM, cgroups, mounts, network')
    .action((pidText: string, o: { json?: boolean }) => {
      const pid = Number(pidText);
      return withClient(!!o.json, async (client) => {
        const v = await client.call('process.inspect', { pid });
        if (o.json) printJson(v);
        else printIsolation(v);
      }, () => {
        if (!/^\d+$/.test(pidText) || pid < 1) throw new NslabError('invalid-params', `pid ${pidText}: expected a process ID (a positive integer)`, { field: 'pid' });
      });
    });
}
