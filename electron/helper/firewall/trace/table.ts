// The temporary `nslab_trace` table a packet walk puts in each namespace the probe may cross: a chain on
// every hook at priority -350 (before raw, conntrack, mangle, nat and filter), so each hook the packet meets
// shows in the walk. Only prerouting and output *mark* packets (`meta nftrace set 1`), and only the probe's
// (its ICMP id or source port, and the ICMP errors quoting it); input/forward/postrouting observe, with one
// rule per conntrack state so the walk shows what conntrack decided.
import type { TraceProtocol } from '../../../shared/contract/index.js';
import { shellLine } from '../../../shared/shell.js';
import { run } from '../../exec/run.js';

export const TRACE_TABLE = 'nslab_trace';
export const TRACE_PRIORITY = -350;

export interface ProbeMarker {
  proto: TraceProtocol;
  /** ICMP id (icmp) or the probe's source port (tcp/udp). */
  marker: number;
}

const CT_STATES = ['new', 'established', 'related', 'invalid', 'untracked'] as const;

// Offsets in bits from the ICMP header of an error: 8 bytes of ICMP, 20 of the quoted IP header (the probe
// never sends IP options), then the quoted transport header.
const QUOTED_SPORT = '@th,224,16';
const QUOTED_ICMP_ID = '@th,256,16';
const ICMP_ERRORS = 'icmp type { destination-unreachable, time-exceeded, parameter-problem }';

/** The rules that set nftrace on the probe's packets, both directions, and on ICMP errors about them. */
export function markerRules({ proto, marker }: ProbeMarker): string[] {
  if (proto === 'icmp') return [`icmp id ${marker} meta nftrace set 1`, `${ICMP_ERRORS} ${QUOTED_ICMP_ID} ${marker} meta nftrace set 1`];
  // tcp: the handshake's SYN and SYN-ACK, or the RST that refuses it — one request, one reply.
  const flags = proto === 'tcp' ? ' tcp flags & (syn | rst) != 0' : '';
  return [
    `${proto} sport ${marker}${flags} meta nftrace set 1`,
    `${proto} dport ${marker}${flags} meta nftrace set 1`,
    `${ICMP_ERRORS} ${QUOTED_SPORT} ${marker} meta nftrace set 1`,
  ];
}

/** The whole table as an `nft -f` script. */
export function traceTableScript(probe: ProbeMarker): string {
  const chain = (hook: string, rules: string[]): string =>
    [`  chain ${hook} {`, `    type filter hook ${hook} priority ${TRACE_PRIORITY}; policy accept;`, ...rules.map((r) => `    ${r}`), '  }'].join('\n');
  const observe = CT_STATES.map((s) => `ct state ${s}`);
  return [
    `table ip ${TRACE_TABLE} {`,
    chain('prerouting', markerRules(probe)),
    chain('input', observe),
    chain('forward', observe),
    chain('output', markerRules(probe)),
    chain('postrouting', observe),
    '}',
    '',
  ].join('\n');
}

const nft = (netns: string, args: string[]): string[] => ['ip', 'netns', 'exec', netns, 'nft', ...args];

export async function installTraceTable(netns: string, probe: ProbeMarker): Promise<void> {
  const script = traceTableScript(probe);
  await run(nft(netns, ['-f', '-']), { input: script, change: true, shell: [`${shellLine(nft(netns, ['-f', '-']))} <<'EOF'\n${script}EOF`] });
}

export async function hasTraceTable(netns: string): Promise<boolean> {
  const { code } = await run(nft(netns, ['list', 'table', 'ip', TRACE_TABLE]), { allowFailure: true });
  return code === 0;
}

export async function removeTraceTable(netns: string): Promise<void> {
  await run(nft(netns, ['delete', 'table', 'ip', TRACE_TABLE]), { change: true });
}
