// `nslab trace --from NODE --to ADDR [--proto icmp|tcp|udp] [--dport N] [--json]`: one probe walked through
// every hook, chain and rule of every namespace it crosses. --json streams the walk as NDJSON events.
import type { Command } from 'commander';
import { methods, type TraceEvent, type TraceFate, type TraceHop } from '../../shared/contract/index.js';
import { zodToNslabError } from '../../shared/errors.js';
import { printJsonLine, withClient } from '../output.js';

interface TraceOptions {
  from: string;
  to: string;
  proto?: string;
  dport?: string;
  timeout?: string;
  json?: boolean;
}

/** A number as typed, or the text itself so the contract names the field and what is allowed. */
const asNumber = (v: string | undefined): number | string | undefined => (v === undefined ? undefined : /^-?\d+$/.test(v) ? Number(v) : v);

export function traceParams(opts: TraceOptions) {
  const parsed = methods['trace.run'].params.safeParse({
    from: opts.from,
    to: opts.to,
    ...(opts.proto !== undefined ? { proto: opts.proto } : {}),
    ...(opts.dport !== undefined ? { dport: asNumber(opts.dport) } : {}),
    ...(opts.timeout !== undefined ? { timeoutMs: asNumber(opts.timeout) } : {}),
  });
  if (!parsed.success) throw zodToNslabError(parsed.error);
  return parsed.data;
}

const endpoint = (addr: string | undefined, port: number | undefined): string => `${addr ?? '?'}${port !== undefined ? `:${port}` : ''}`;

export function renderHop(h: TraceHop): string {
  const p = h.packet;
  const where = `${h.node.padEnd(10)} ${(h.hook ?? '?').padEnd(11)} ${`${h.table} ${h.chain}`.padEnd(26)}`;
  const ifs = [p.iif ? `in ${p.iif}` : '', p.oif ? `out ${p.oif}` : ''].filter(Boolean).join(' ');
  const head = `${endpoint(p.saddr, p.sport)} → ${endpoint(p.daddr, p.dport)}${p.ttl !== undefined ? ` ttl ${p.ttl}` : ''}`;
  const lines = [`  ${where} ${h.observer ? 'seen' : h.verdict.padEnd(8)} ${head}${ifs ? `  (${ifs})` : ''}${h.ct ? `  ct ${h.ct}` : ''}`];
  for (const r of h.rules) lines.push(`      rule ${r.iptables ?? r.nft}${r.handle !== null ? `  [handle ${r.handle}]` : ''} → ${r.verdict}`);
  if (h.byPolicy && !h.observer) lines.push(`      policy ${h.verdict.toUpperCase()}`);
  for (const n of h.nat) lines.push(`      ${n.kind} ${n.field} ${n.from} → ${n.to}${n.rule ? `  (by ${n.rule})` : ''}`);
  return lines.join('\n');
}

const renderFate = (f: TraceFate): string => `  ⇒ ${f.detail}`;

export function registerTrace(program: Command): void {
  program
    .command('trace')
    .requiredOption('--from <node>', 'node that sends the probe')
    .requiredOption('--to <address>', 'IPv4 address of another node')
    .option('--proto <proto>', 'icmp (ping), tcp (connect) or udp (one datagram)', 'icmp')
    .option('--dport <port>', 'destination port for tcp/udp (1–65535)')
    .option('--timeout <ms>', 'how long to wait for the reply (100–10000 ms)')
    .option('--json', 'stream the walk as NDJSON events')
    .description('send one probe and show its walk through every hook, chain and rule of the namespaces it crosses')
    .action((opts: TraceOptions) => {
      let params: ReturnType<typeof traceParams> | undefined;
      return withClient(
        !!opts.json,
        async (client) => {
          let direction = '';
          client.onEvent((name, payload) => {
            if (name !== 'trace.event') return;
            const e = payload as TraceEvent;
            if (opts.json) return printJsonLine(e);
            if (e.kind === 'start') process.stdout.write(`trace ${e.trace}: ${e.proto} from ${e.from} to ${e.to} (marker ${e.marker}), traced in ${e.namespaces.join(', ')}\n`);
            else if (e.kind === 'probe') process.stdout.write(`probe: ${e.detail}\n`);
            else if (e.kind === 'hop') {
              if (e.hop.direction !== direction) process.stdout.write(`${(direction = e.hop.direction).toUpperCase()}\n`);
              process.stdout.write(`${renderHop(e.hop)}\n`);
            } else if (e.kind === 'fate') process.stdout.write(`${renderFate(e.fate)}\n`);
            else if (e.kind === 'end') process.stdout.write(`${e.hops} hops, walk complete ${e.ms} ms after the probe${e.unjoined ? `, ${e.unjoined} trace events not placed` : ''}\n`);
          });
          await client.call('trace.run', params!);
          return 0;
        },
        () => (params = traceParams(opts)),
      );
    });
}
