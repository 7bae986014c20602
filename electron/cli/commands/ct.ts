// `nslab ct list|watch|flush NODE`: a node's connection-tracking table, its live events, and flushing.
import type { Command } from 'commander';
import { methods, type ConntrackEntry, type ConntrackTuple } from '../../shared/contract/index.js';
import { NslabError, zodToNslabError } from '../../shared/errors.js';
import { printJson, printJsonLine, withClient } from '../output.js';
import { streamUntilStopped } from '../stream.js';

const tuple = (t: ConntrackTuple): string => {
  const port = (a: string, p: number | undefined): string => (p === undefined ? a : `${a}:${p}`);
  const icmp = t.type !== undefined ? ` type ${t.type}${t.id !== undefined ? ` id ${t.id}` : ''}` : '';
  const counters = t.packets !== undefined ? ` [${t.packets} pkt ${t.bytes ?? 0} B]` : '';
  return `${port(t.src, t.sport)} → ${port(t.dst, t.dport)}${icmp}${counters}`;
};

export function renderEntry(e: ConntrackEntry): string {
  const head = `${e.protocol.padEnd(5)} ${(e.state ?? '-').padEnd(12)} ${String(e.timeout ?? '-').padStart(6)}s`;
  const flags = e.flags.length ? ` [${e.flags.join(',')}]` : '';
  const mark = e.mark ? ` mark ${e.mark}` : '';
  const nat = e.nat.map((n) => `\n      ${n.kind} ${n.from} → ${n.to}${e.natRule ? `  (by ${e.natRule})` : ''}`).join('');
  return `${head}  ${tuple(e.original)}  ⇄  ${tuple(e.reply)}${flags}${mark}${nat}`;
}

function parse<M extends 'ct.list' | 'ct.watch' | 'ct.flush'>(method: M, params: unknown) {
  const parsed = methods[method].params.safeParse(params);
  if (!parsed.success) throw zodToNslabError(parsed.error);
  return parsed.data;
}

const num = (v: string | undefined): number | string | undefined => (v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : v);

export function registerCt(program: Command): void {
  const ct = program.command('ct').description('connection tracking: the table of a node, its live events, flushing');

  ct.command('list')
    .argument('<node>', 'node whose conntrack table to show')
    .option('--json', 'print the table as JSON')
    .description('protocol, state, original and reply tuples (NAT is their difference), timeout, mark, counters')
    .action((node: string, opts: { json?: boolean }) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('ct.list', { node });
        if (opts.json) return void printJson(r);
        for (const e of r.entries) process.stdout.write(`${renderEntry(e)}\n`);
        const s = r.stats;
        process.stdout.write(`${r.entries.length} entries in ${r.netns}; invalid ${s.invalid}, insert failed ${s.insertFailed}, dropped ${s.drop}${r.acct ? '' : '; per-flow counters off (sysctl net.netfilter.nf_conntrack_acct=1)'}\n`);
      }, () => parse('ct.list', { node })),
    );

  ct.command('watch')
    .argument('<node>', 'node whose conntrack events to show')
    .option('--json', 'one JSON event per line')
    .option('--duration <s>', 'stop after this many seconds (default: until Ctrl-C)')
    .description('NEW / UPDATE / DESTROY events as they happen (conntrack -E)')
    .action((node: string, opts: { json?: boolean; duration?: string }) =>
      withClient(!!opts.json, async (client) => {
        let failed: string | null = null;
        await streamUntilStopped(client, 'ct.event', {
          onEvent: (e, stop) => {
            if (opts.json) printJsonLine(e);
            else if (e.kind === 'entry') process.stdout.write(`${`[${e.type}]`.padEnd(9)} ${renderEntry(e.entry)}\n`);
            else if (e.kind === 'lost') process.stderr.write(`nslab: the kernel dropped events (${e.lost} reports so far)\n`);
            if (e.kind !== 'end') return;
            // 'stopped': the helper ended the watch (it is shutting down); anything else is why conntrack failed.
            if (e.reason !== 'stopped') failed = e.reason;
            if (!opts.json) process.stderr.write(`nslab: the watch of ${e.netns} ended: ${e.reason}\n`);
            stop();
          },
          start: () => client.call('ct.watch', { node }),
          ...(opts.duration !== undefined ? { stopAfterMs: Number(opts.duration) * 1000 } : {}),
        });
        const { lost } = await client.call('ct.unwatch', { node });
        if (lost && !opts.json) process.stderr.write(`nslab: ${lost} lost-event reports\n`);
        return failed === null ? 0 : 1;
      }, () => {
        parse('ct.watch', { node });
        if (opts.duration !== undefined && !(Number(opts.duration) > 0)) throw new NslabError('invalid-params', 'duration: expected a number of seconds above 0', { field: 'duration' });
      }),
    );

  ct.command('flush')
    .argument('<node>', 'node nslab owns')
    .option('--all', 'delete every entry')
    .option('-p, --proto <proto>', 'tcp, udp or icmp')
    .option('--src <addr>', 'original source address')
    .option('--dst <addr>', 'original destination address')
    .option('--sport <port>', 'original source port')
    .option('--dport <port>', 'original destination port')
    .option('--json', 'print the result as JSON')
    .description('delete the matching conntrack entries (or all) in a node nslab created')
    .action((node: string, opts: { all?: boolean; proto?: string; src?: string; dst?: string; sport?: string; dport?: string; json?: boolean }) => {
      const match = opts.proto !== undefined || opts.src || opts.dst || opts.sport || opts.dport
        ? { protocol: opts.proto, ...(opts.src ? { src: opts.src } : {}), ...(opts.dst ? { dst: opts.dst } : {}), ...(opts.sport ? { sport: num(opts.sport) } : {}), ...(opts.dport ? { dport: num(opts.dport) } : {}) }
        : undefined;
      const raw = { node, all: !!opts.all, ...(match ? { match } : {}) };
      return withClient(!!opts.json, async (client) => {
        const r = await client.call('ct.flush', parse('ct.flush', raw));
        if (opts.json) printJson(r);
        else process.stdout.write(`deleted ${r.deleted} entries in ${r.netns}\n`);
      }, () => parse('ct.flush', raw));
    });
}
