// `nslab run [limits] [--netns NODE] -- CMD ARGS…`: a program in a fresh nslab/ group, its output
// streamed, and how it ended — exit code, signal, and OOM kills read from the kernel's counters.
//
// DESIGN: why the program is spawned in the CLI process and not behind the helper. The group itself is made
// and removed by the helper (`cgroup.create`/`cgroup.remove`: validated, journaled in the ledger, reported as
// activity); only the start of the program is local, because it must own the caller's terminal (stdin, a
// tty for interactive programs, Ctrl-C to its process group) and its end is the command's exit code. The
// helper's `cgroup.run` is the detached form (no terminal, output discarded, a deadline) for the GUI and labs.
// The launcher that joins the group comes from helper/exec/ (argv only, the only module allowed to spawn).
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { CgroupName } from '../../shared/cgroup/names.js';
import { formatBytes } from '../../shared/cgroup/units.js';
import { NslabError, zodToNslabError } from '../../shared/errors.js';
import { NodeName, netnsOf } from '../../shared/names.js';
import { launchInCgroup } from '../../helper/exec/cgroup-launcher.js';
import { exitCodeOf } from '../../helper/exec/signals.js';
import { listNetns } from '../../helper/net/snapshot.js';
import { connectHelper, type Client } from '../client.js';
import { noteMode, printJson, reportError } from '../output.js';
import { addLimitFlags, checkLimits, limitsFromOptions } from './limit-flags.js';

async function withHelper<T>(body: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectHelper();
  noteMode(client.mode);
  try {
    return await body(client);
  } finally {
    client.close();
  }
}

type RunOpts = Record<string, unknown> & { name?: string; netns?: string; keep?: boolean; json?: boolean };

export function registerRun(program: Command): void {
  addLimitFlags(
    program
      .command('run')
      .argument('<command...>', 'command and arguments (after --)')
      .option('--name <name>', 'group name (default run-<random>); the group is nslab/<name>')
      .option('--netns <node>', 'run inside this node’s network namespace')
      .option('--keep', 'keep the group afterwards (remove it with nslab cgroup rm)')
      .option('--json', 'print how it ended as JSON (the program’s output goes to stderr)'),
  )
    .passThroughOptions()
    .description('run a command under resource limits in a fresh nslab/ cgroup')
    .action((command: string[], opts: RunOpts) => {
      const limits = limitsFromOptions(opts);
      const argv = command[0] === '--' ? command.slice(1) : command;
      const name = opts.name ?? `run-${randomBytes(4).toString('hex')}`;
      const json = !!opts.json;
      return (async (): Promise<void> => {
        try {
          if (argv.length === 0) throw new NslabError('invalid-params', 'no command given: nslab run [limits] -- CMD ARGS…', { field: 'command' });
          const n = CgroupName.safeParse(name);
          if (!n.success) throw zodToNslabError(n.error, 'name');
          if (opts.netns !== undefined) {
            const node = NodeName.safeParse(opts.netns);
            if (!node.success) throw zodToNslabError(node.error, 'netns');
          }
          checkLimits(limits);
          let netns: string | null = null;
          if (opts.netns) {
            netns = netnsOf(opts.netns);
            if (!(await listNetns()).includes(netns)) throw new NslabError('not-found', `node ${opts.netns} has no namespace (${netns} does not exist)`, { field: 'netns' });
          }
          // The helper is reached twice, before and after: an in-process helper holds the ledger lock, and
          // other nslab commands (other `nslab run`s) must not wait for the program's whole lifetime.
          const group = await withHelper((c) => c.call('cgroup.create', { name, limits, owner: 'run' }));
          let exit: { code: number | null; signal: string | null } | undefined;
          let failure: unknown;
          try {
            const proc = launchInCgroup({ dirs: group.dirs, argv: netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv }, json ? { stdout: 2 } : {});
            // Ctrl-C reaches the program through the terminal; nslab stays to report and clean up.
            const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => [sig, (): void => proc.kill(sig)] as const);
            for (const [sig, h] of handlers) process.on(sig, h);
            try {
              exit = await proc.exited;
            } finally {
              for (const [sig, h] of handlers) process.off(sig, h);
            }
          } catch (err) {
            failure = err;
          }
          const detail = await withHelper(async (c) => {
            const d = await c.call('cgroup.show', { name });
            if (!exit || !opts.keep) await c.call('cgroup.remove', { name, force: true });
            return d;
          });
          if (!exit) throw failure;
          const oomKills = detail.stats.memory.oomKills;
          const report = { name, path: group.path, command: argv, netns, exit, oomKilled: (oomKills ?? 0) > 0, oomKills, kept: !!opts.keep, stats: detail.stats };
          if (json) printJson(report);
          else {
            const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
            const limit = detail.stats.memory.limit;
            const oom = report.oomKilled
              ? `; OOM-killed: yes (${oomKills} kill${oomKills === 1 ? '' : 's'} at the ${typeof limit === 'number' ? formatBytes(limit) : ''} memory limit)`
              : '; OOM-killed: no';
            process.stderr.write(`nslab: ${argv.join(' ')} ${how}${oom}${opts.keep ? `; kept ${group.path}` : ''}\n`);
          }
          process.exitCode = exitCodeOf(exit.code, exit.signal);
        } catch (err) {
          process.exitCode = reportError(err, json);
        }
      })();
    });
}
