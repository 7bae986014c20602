// `nslab cgroup create|set|show|ls|rm|kill|freeze|thaw|vocab`: nslab/ groups managed directly.
import type { Command } from 'commander';
import { describeLimits, type Limits } from '../../shared/cgroup/limits.js';
import { cgroupPath } from '../../shared/cgroup/names.js';
import { formatBytes } from '../../shared/cgroup/units.js';
import { VOCABULARY, bothNames } from '../../shared/cgroup/vocabulary.js';
import type { CgroupDetail, CgroupInfo, CgroupLimits } from '../../shared/contract/index.js';
import { printJson, withClient, withoutHelper } from '../output.js';
import { addLimitFlags, checkLimits, limitsFromOptions } from './limit-flags.js';

type Opts = Record<string, unknown> & { json?: boolean };
const out = (s: string): void => void process.stdout.write(s);

/** CgroupLimits (as read back) in Docker words. */
export function limitWords(l: CgroupLimits): Record<string, string> {
  const asLimits: Limits = {
    ...(l.memory != null ? { memory: l.memory } : {}),
    ...(l['memory-swap'] != null ? { 'memory-swap': l['memory-swap'] } : {}),
    ...(l['cpu-quota'] != null ? { 'cpu-quota': l['cpu-quota'], 'cpu-period': l['cpu-period'] ?? 100_000 } : {}),
    ...(l['cpu-shares'] !== undefined ? { 'cpu-shares': l['cpu-shares'] } : {}),
    ...(l['pids-limit'] != null ? { 'pids-limit': l['pids-limit'] } : {}),
    ...(l['cpu-rt-period'] !== undefined ? { 'cpu-rt-period': l['cpu-rt-period'] } : {}),
    ...(l['cpu-rt-runtime'] !== undefined ? { 'cpu-rt-runtime': l['cpu-rt-runtime'] } : {}),
  };
  const words = describeLimits(asLimits);
  if (l['cpuset-cpus']) words['cpuset-cpus'] = l['cpuset-cpus'];
  if (l['cpuset-mems']) words['cpuset-mems'] = l['cpuset-mems'];
  return words;
}

function printInfo(info: CgroupInfo & { writes?: { file: string; value: string }[] }): void {
  for (const w of info.writes ?? []) out(`  echo ${w.value} > ${w.file}\n`);
  out(`${info.path} (${info.version})\n`);
}

const val = (v: number | 'max' | boolean | null, unit: 'bytes' | 'ns' | '' = ''): string =>
  v === null ? '—' : v === 'max' ? 'unlimited' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : unit === 'bytes' ? formatBytes(v) : unit === 'ns' ? `${(v / 1e9).toFixed(3)} s` : String(v);

function printDetail(d: CgroupDetail): void {
  out(`${d.path}  (${d.version}${d.recorded ? `, owner ${d.owner}` : ', not recorded by nslab'})\n`);
  out(`  dirs: ${d.dirs.join('  ')}\n`);
  out(`  processes: ${d.procs.length ? d.procs.join(' ') : 'none'}\n`);
  out('  limits:\n');
  const words = limitWords(d.limits);
  for (const [k, v] of Object.entries(words)) out(`    ${k.padEnd(15)} ${v.padEnd(14)} ${bothNames(k === 'cpus' ? 'cpus' : k)}\n`);
  const s = d.stats;
  const rows: [string, string][] = [
    ['memory.usage', val(s.memory.usage, 'bytes')],
    ['memory.limit', val(s.memory.limit, 'bytes')],
    ['memory.maxUsage', val(s.memory.maxUsage, 'bytes')],
    ['memory.failcnt', val(s.memory.failcnt)],
    ['memory.oomEvents', val(s.memory.oomEvents)],
    ['memory.underOom', val(s.memory.underOom)],
    ['memory.oomKills', val(s.memory.oomKills)],
    ['cpu.usage', val(s.cpu.usageNs, 'ns')],
    ['cpu.user', val(s.cpu.userNs, 'ns')],
    ['cpu.system', val(s.cpu.systemNs, 'ns')],
    ['cpu.nrPeriods', val(s.cpu.nrPeriods)],
    ['cpu.nrThrottled', val(s.cpu.nrThrottled)],
    ['cpu.throttled', val(s.cpu.throttledNs, 'ns')],
    ['pids.current', val(s.pids.current)],
    ['pids.max', val(s.pids.max)],
  ];
  out('  statistics:\n');
  for (const [k, v] of rows) out(`    ${k.padEnd(17)} ${v.padEnd(14)} ${bothNames(k)}\n`);
  for (const kind of ['cpu', 'memory', 'io'] as const) {
    const p = s.pressure[kind];
    if (p) out(`    pressure.${kind.padEnd(8)} some ${p.some.avg10.toFixed(2)}/${p.some.avg60.toFixed(2)}/${p.some.avg300.toFixed(2)}%${p.full ? `  full ${p.full.avg10.toFixed(2)}/${p.full.avg60.toFixed(2)}/${p.full.avg300.toFixed(2)}%` : ''}  (avg10/60/300, ${kind}.pressure)\n`);
  }
}

export function registerCgroup(program: Command): void {
  const cg = program.command('cgroup').description('cgroups under nslab/: create, limit, inspect, remove');

  addLimitFlags(cg.command('create').argument('<name>', 'group name (lives at nslab/<name>)').option('--json', 'print JSON'))
    .description('create nslab/<name> in every hierarchy, with limits in Docker’s words')
    .action((name: string, opts: Opts) => {
      const limits = limitsFromOptions(opts);
      return withClient(!!opts.json, async (client) => {
        const info = await client.call('cgroup.create', { name, limits });
        if (opts.json) printJson(info);
        else printInfo(info);
      }, () => checkLimits(limits));
    });

  addLimitFlags(cg.command('set').argument('<name>', 'group name').option('--json', 'print JSON'))
    .description('change limits of nslab/<name>')
    .action((name: string, opts: Opts) => {
      const limits = limitsFromOptions(opts);
      return withClient(!!opts.json, async (client) => {
        const info = await client.call('cgroup.set', { name, limits });
        if (opts.json) printJson(info);
        else printInfo(info);
      }, () => checkLimits(limits));
    });

  cg.command('show')
    .argument('<name>', 'group name')
    .option('--json', 'print JSON')
    .description('limits (v1 and v2 names), processes and statistics of nslab/<name>')
    .action((name: string, opts: Opts) =>
      withClient(!!opts.json, async (client) => {
        const d = await client.call('cgroup.show', { name });
        if (opts.json) printJson(d);
        else printDetail(d);
      }),
    );

  cg.command('ls')
    .option('--json', 'print JSON')
    .description('every group under nslab/')
    .action((opts: Opts) =>
      withClient(!!opts.json, async (client) => {
        const { groups } = await client.call('cgroup.list', {});
        if (opts.json) return printJson({ groups });
        if (!groups.length) return out('no groups under nslab/\n');
        out(`${'NAME'.padEnd(24)} ${'PROCS'.padStart(5)}  ${'OWNER'.padEnd(12)} LIMITS\n`);
        for (const g of groups) {
          const words = Object.entries(limitWords(g.limits))
            .filter(([k, v]) => !(k === 'cpu-shares' && v === '1024') && v !== 'unlimited' && !k.startsWith('cpu-rt') && !k.startsWith('cpuset'))
            .map(([k, v]) => `${k}=${v}`);
          out(`${g.name.padEnd(24)} ${String(g.procs.length).padStart(5)}  ${(g.owner ?? '(unrecorded)').padEnd(12)} ${words.join(' ') || '-'}\n`);
        }
      }),
    );

  cg.command('rm')
    .argument('<name>', 'group name')
    .option('-f, --force', 'kill the processes still in it first')
    .option('--json', 'print JSON')
    .description('remove nslab/<name> (only once its processes have left, unless --force)')
    .action((name: string, opts: Opts & { force?: boolean }) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('cgroup.remove', { name, force: !!opts.force });
        if (opts.json) printJson(r);
        else out(`removed ${r.removed}\n`);
      }),
    );

  cg.command('exec')
    .argument('<name>', 'group name (it must exist: nslab cgroup create)')
    .argument('<command...>', 'program and arguments, after --')
    .option('--timeout <seconds>', 'stop it after this long (default 300)', '300')
    .option('--wait', 'wait until it ends and say how (exit, signal, OOM kills)')
    .option('--json', 'print JSON')
    .description('start a program inside nslab/<name> (argv, no shell); it keeps running after this command unless --wait')
    .action((name: string, command: string[], opts: Opts & { timeout: string; wait?: boolean }) => {
      const argv = command[0] === '--' ? command.slice(1) : command;
      const timeoutMs = Math.round(Number(opts.timeout) * 1000);
      return withClient(!!opts.json, async (client) => {
        const r = await client.call('cgroup.run', { name, argv, timeoutMs, wait: !!opts.wait });
        if (opts.json) return printJson(r);
        if (!r.exit) return out(`started ${argv.join(' ')} in ${cgroupPath(name)} (pid ${r.pid}, stopped after ${timeoutMs / 1000} s)\n`);
        const how = r.exit.timedOut ? 'was stopped at its timeout' : r.exit.signal ? `was killed by ${r.exit.signal}` : `exited with code ${r.exit.code}`;
        out(`${argv.join(' ')} ${how}; OOM kills in ${cgroupPath(name)} while it ran: ${r.oomKills ?? '—'}\n`);
      });
    });

  cg.command('kill')
    .argument('<name>', 'group name')
    .option('--json', 'print JSON')
    .description('SIGKILL every process in nslab/<name>')
    .action((name: string, opts: Opts) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('cgroup.kill', { name });
        if (opts.json) printJson(r);
        else out(`killed ${r.killed} process(es)\n`);
      }),
    );

  for (const [cmd, frozen] of [['freeze', true], ['thaw', false]] as const) {
    cg.command(cmd)
      .argument('<name>', 'group name')
      .option('--json', 'print JSON')
      .description(`${frozen ? 'freeze' : 'thaw'} every process in nslab/<name>`)
      .action((name: string, opts: Opts) =>
        withClient(!!opts.json, async (client) => {
          const r = await client.call('cgroup.freeze', { name, frozen });
          if (opts.json) printJson(r);
          else out(`${frozen ? 'frozen' : 'thawed'} ${cgroupPath(name)}\n`);
        }),
      );
  }

  cg.command('vocab')
    .option('--json', 'print JSON')
    .description('the v1↔v2 vocabulary: which file and unit each limit and statistic maps to')
    .action((opts: Opts) =>
      withoutHelper(!!opts.json, () => {
        if (opts.json) return printJson({ vocabulary: VOCABULARY });
        out(`${'NAME'.padEnd(17)} ${'v1 FILE'.padEnd(36)} v2 FILE\n`);
        for (const v of VOCABULARY) {
          const side = (m: (typeof v)['v1']): string => (m ? `${m.file}${m.key ? ` [${m.key}]` : ''}` : '— (none)');
          out(`${v.name.padEnd(17)} ${side(v.v1).padEnd(36)} ${side(v.v2)}\n`);
        }
      }),
    );
}
