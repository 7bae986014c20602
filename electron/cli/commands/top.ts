// `nslab top`: a live table like systemd-cgtop/ctop — per nslab/ group CPU %, memory / limit, throttling,
// pids; per nslab interface rx/tx rates. Fed by the helper's sampler (metrics.sample events).
import type { Command } from 'commander';
import { formatBytes } from '../../shared/cgroup/units.js';
import type { SeriesSample } from '../../shared/contract/index.js';
import { printJson, printJsonLine, withClient } from '../output.js';
import { streamUntilStopped } from '../stream.js';

const n = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined ? '—' : v.toFixed(digits));
const rate = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${formatBytes(v)}/s`);

export function renderTop(samples: SeriesSample[]): string {
  const groups = samples.filter((s) => s.series.startsWith('cgroup:')).sort((a, b) => (b.rates.cpuPercent ?? 0) - (a.rates.cpuPercent ?? 0));
  const nets = samples.filter((s) => s.series.startsWith('net:')).sort((a, b) => a.series.localeCompare(b.series));
  const lines: string[] = [];
  lines.push(`${'GROUP'.padEnd(28)} ${'CPU%'.padStart(7)} ${'MEMORY'.padStart(10)} / ${'LIMIT'.padEnd(10)} ${'THROTTLED'.padStart(9)} ${'PIDS'.padStart(9)} ${'OOM'.padStart(4)}`);
  for (const g of groups) {
    const v = g.values;
    const pids = `${v.pids ?? '—'}${v.pidsMax !== null && v.pidsMax !== undefined ? `/${v.pidsMax}` : ''}`;
    lines.push(
      `${g.series.slice('cgroup:'.length).padEnd(28)} ${n(g.rates.cpuPercent).padStart(7)} ${formatBytes(v.memory).padStart(10)} / ${(v.memoryLimit === null ? 'unlimited' : formatBytes(v.memoryLimit)).padEnd(10)} ${`${n(g.rates.throttledPercent)}%`.padStart(9)} ${pids.padStart(9)} ${String(v.oomKills ?? '—').padStart(4)}`,
    );
  }
  if (!groups.length) lines.push('(no groups under nslab/)');
  lines.push('');
  lines.push(`${'INTERFACE'.padEnd(36)} ${'RX'.padStart(12)} ${'TX'.padStart(12)} ${'RX pkt/s'.padStart(9)} ${'TX pkt/s'.padStart(9)} ${'DROP/s'.padStart(7)}`);
  for (const s of nets) {
    lines.push(`${s.series.slice('net:'.length).padEnd(36)} ${rate(s.rates.rxBps).padStart(12)} ${rate(s.rates.txBps).padStart(12)} ${n(s.rates.rxPps, 0).padStart(9)} ${n(s.rates.txPps, 0).padStart(9)} ${n(s.rates.dropsPerSecond, 0).padStart(7)}`);
  }
  if (!nets.length) lines.push('(no nslab interfaces)');
  return `${lines.join('\n')}\n`;
}

export function registerTop(program: Command): void {
  program
    .command('top')
    .option('--once', 'print one table (two samples apart) and exit')
    .option('--json', 'print samples as JSON (one document with --once, else one line per sweep)')
    .option('--interval <ms>', 'sampling interval, 100–10000 ms')
    .description('live CPU, memory, throttling and pids per nslab/ group; rx/tx rates per nslab interface')
    .action((opts: { once?: boolean; json?: boolean; interval?: string }) =>
      withClient(!!opts.json, async (client) => {
        if (opts.interval !== undefined) await client.call('metrics.config', { interval: Number(opts.interval) });
        if (opts.once) {
          const snap = await client.call('metrics.snapshot', {});
          if (opts.json) printJson(snap);
          else process.stdout.write(renderTop(snap.samples));
          return 0;
        }
        const latest = new Map<string, SeriesSample>();
        const tty = process.stdout.isTTY && !opts.json;
        await streamUntilStopped(client, 'metrics.sample', {
          onEvent: (p) => {
            for (const s of p.samples) latest.set(s.series, s);
            for (const id of p.removed) latest.delete(id);
            if (opts.json) printJsonLine(p);
            else process.stdout.write(`${tty ? '\x1b[H\x1b[2J' : ''}nslab top — ${new Date(p.t).toLocaleTimeString()}  (q or Ctrl-C to quit)\n\n${renderTop([...latest.values()])}`);
          },
          start: () => client.call('metrics.subscribe', { series: ['*'] }),
          quitKeys: true,
        });
        return 0;
      }),
    );
}
