// One namespace's conntrack table: entries (`conntrack -L -o extended,id`), the kernel's counters
// (`conntrack -S`), whether per-flow byte/packet accounting is on, and flushing in namespaces nslab owns.
import type { ConntrackEntry, ConntrackStats } from '../../../shared/contract/index.js';
import { NslabError } from '../../../shared/errors.js';
import { run } from '../../exec/run.js';
import { inNetns } from '../netns.js';
import { natRuleFor, readNatCounters } from './nat-rules.js';
import { parseConntrackList, parseConntrackStats } from './parse.js';

// `conntrack -L` exits 0 with entries on stdout and its summary on stderr; an empty table is not an error.
const conntrack = (netns: string, args: string[], change = false) => run(inNetns(netns, ['conntrack', ...args]), { change, allowFailure: !change });

/** The entries alone (`conntrack -L -o extended,id`), as lab probes check them; an empty table is none. */
export async function readConntrackEntries(netns: string): Promise<ConntrackEntry[]> {
  return parseConntrackList((await conntrack(netns, ['-L', '-o', 'extended,id'])).stdout);
}

export async function readConntrackTable(netns: string): Promise<{ entries: ConntrackEntry[]; stats: ConntrackStats; acct: boolean }> {
  const [list, stats, acct] = await Promise.all([
    conntrack(netns, ['-L', '-o', 'extended,id']),
    conntrack(netns, ['-S']),
    run(inNetns(netns, ['sysctl', '-n', 'net.netfilter.nf_conntrack_acct']), { allowFailure: true }),
  ]);
  if (list.code !== 0 && !/flow entries have been shown/.test(list.stderr)) {
    throw new NslabError('internal', `conntrack -L failed in ${netns}: ${list.stderr.trim()}`);
  }
  const entries = parseConntrackList(list.stdout);
  if (entries.some((e) => e.nat.length)) {
    const counters = await readNatCounters(netns);
    for (const e of entries) e.natRule = natRuleFor(e, counters);
  }
  return { entries, stats: parseConntrackStats(stats.stdout), acct: acct.stdout.trim() === '1' };
}

export interface FlushMatch {
  protocol: 'tcp' | 'udp' | 'icmp';
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
}

/** Deletes the matching entries (or all); returns how many the kernel deleted. */
export async function flushConntrack(netns: string, match: FlushMatch | null): Promise<number> {
  if (!match) {
    const before = parseConntrackList((await conntrack(netns, ['-L', '-o', 'extended,id'])).stdout).length;
    await conntrack(netns, ['-F'], true);
    return before;
  }
  const args = ['-D', '-p', match.protocol];
  if (match.src) args.push('--orig-src', match.src);
  if (match.dst) args.push('--orig-dst', match.dst);
  if (match.sport !== undefined) args.push('--orig-port-src', String(match.sport));
  if (match.dport !== undefined) args.push('--orig-port-dst', String(match.dport));
  // conntrack -D exits 1 when nothing matched ("0 flow entries have been deleted").
  const r = await run(inNetns(netns, ['conntrack', ...args]), { change: true, allowFailure: true });
  const n = /(\d+) flow entries have been deleted/.exec(r.stderr);
  if (!n && r.code !== 0) throw new NslabError('internal', `conntrack -D failed in ${netns}: ${r.stderr.trim()}`);
  return n ? Number(n[1]) : 0;
}
