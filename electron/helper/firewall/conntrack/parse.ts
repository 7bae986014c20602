// Parsers for `conntrack -L -o extended,id`, `conntrack -E [-o extended,id,timestamp]` and `conntrack -S`.
// Pure, unit-tested on output captured from the kernel.
//   ipv4 2 tcp 6 119 TIME_WAIT src=… dst=… sport=… dport=… packets=4 bytes=219 src=… … [ASSURED] mark=0 use=1 id=1792675484
//   [1796154407.093299]	    [NEW] ipv4 2 tcp 6 120 SYN_SENT src=… [UNREPLIED] src=… id=1792675484
import type { ConntrackEntry, ConntrackStats, ConntrackTuple } from '../../../shared/contract/index.js';
import { CT_EVENT_TYPES } from '../../../shared/contract/index.js';

const TUPLE_NUMBERS = new Set(['sport', 'dport', 'type', 'code', 'id', 'packets', 'bytes']);
const ICMP = new Set(['icmp', 'icmpv6']);

type EventType = (typeof CT_EVENT_TYPES)[number];

export interface ParsedConntrackLine {
  /** Set for `-E` lines. */
  type: EventType | null;
  /** Seconds since the epoch, when `-o timestamp` printed it. */
  at: number | null;
  entry: ConntrackEntry;
}

const endpoint = (addr: string, port: number | undefined): string => (port === undefined ? addr : `${addr}:${port}`);

/** NAT as the difference between the tuples. */
export function natOf(original: ConntrackTuple, reply: ConntrackTuple): ConntrackEntry['nat'] {
  const nat: ConntrackEntry['nat'] = [];
  if (!reply.src) return nat;
  // The reply comes back to whoever the original's sender became.
  if (reply.dst !== original.src || (reply.dport !== undefined && reply.dport !== original.sport))
    nat.push({ kind: 'snat', from: endpoint(original.src, original.sport), to: endpoint(reply.dst, reply.dport) });
  // …and comes from whoever really answered.
  if (reply.src !== original.dst || (reply.sport !== undefined && reply.sport !== original.dport))
    nat.push({ kind: 'dnat', from: endpoint(original.dst, original.dport), to: endpoint(reply.src, reply.sport) });
  return nat;
}

export function parseConntrackLine(raw: string): ParsedConntrackLine | null {
  let words = raw.trim().split(/\s+/).filter(Boolean);
  let at: number | null = null;
  let type: EventType | null = null;
  const ts = /^\[(\d+\.\d+)\]$/.exec(words[0] ?? '');
  if (ts) {
    at = Number(ts[1]);
    words = words.slice(1);
  }
  const ev = /^\[(NEW|UPDATE|DESTROY)\]$/.exec(words[0] ?? '');
  if (ev) {
    type = ev[1] as EventType;
    words = words.slice(1);
  }
  let family = 'ipv4';
  if (words[0] === 'ipv4' || words[0] === 'ipv6') {
    family = words[0];
    words = words.slice(2);
  }
  const [protocol, protonum, ...rest] = words;
  if (!protocol || !/^\d+$/.test(protonum ?? '') || rest.length === 0) return null;
  let timeout: number | null = null;
  if (/^\d+$/.test(rest[0]!)) timeout = Number(rest.shift());
  let state: string | null = null;
  const tuples: Record<string, string>[] = [];
  const flags: string[] = [];
  const after: Record<string, string> = {};
  let ctId: number | null = null;
  for (const w of rest) {
    if (w.startsWith('[') && w.endsWith(']')) {
      flags.push(w.slice(1, -1));
      continue;
    }
    const eq = w.indexOf('=');
    if (eq <= 0) {
      if (/^[A-Z_]+$/.test(w) && tuples.length === 0) state = w;
      continue;
    }
    const key = w.slice(0, eq);
    const value = w.slice(eq + 1);
    const tuple = tuples[tuples.length - 1];
    if (key === 'src' && tuples.length < 2 && Object.keys(after).length === 0) tuples.push({ src: value });
    else if (tuple && Object.keys(after).length === 0 && (key === 'dst' || (TUPLE_NUMBERS.has(key) && key !== 'id')) && tuple[key] === undefined) tuple[key] = value;
    // `id=` is the ICMP id inside an ICMP tuple, else (and the second time) the entry's own id.
    else if (key === 'id' && tuple && ICMP.has(protocol) && tuple.id === undefined && Object.keys(after).length === 0) tuple.id = value;
    else if (key === 'id') ctId = Number(value);
    else after[key] = value;
  }
  const tuple = (t: Record<string, string> | undefined): ConntrackTuple => {
    const out: ConntrackTuple = { src: t?.src ?? '', dst: t?.dst ?? '' };
    for (const k of TUPLE_NUMBERS) if (t?.[k] !== undefined) (out as Record<string, unknown>)[k] = Number(t[k]);
    return out;
  };
  const original = tuple(tuples[0]);
  const reply = tuple(tuples[1]);
  if (!original.src) return null;
  return {
    type,
    at,
    entry: {
      id: ctId,
      family,
      protocol,
      timeout,
      state,
      flags,
      original,
      reply,
      nat: natOf(original, reply),
      mark: after.mark !== undefined ? Number(after.mark) : null,
      zone: after.zone !== undefined ? Number(after.zone) : null,
      natRule: null,
    },
  };
}

export const parseConntrackList = (text: string): ConntrackEntry[] =>
  text
    .split('\n')
    .map(parseConntrackLine)
    .filter((l): l is ParsedConntrackLine => l !== null)
    .map((l) => l.entry);

/** `conntrack -S`: one line per CPU, summed. */
export function parseConntrackStats(text: string): ConntrackStats {
  const stats: ConntrackStats = { found: 0, invalid: 0, insert: 0, insertFailed: 0, drop: 0, earlyDrop: 0, error: 0 };
  const keys: Record<string, keyof ConntrackStats> = { found: 'found', invalid: 'invalid', insert: 'insert', insert_failed: 'insertFailed', drop: 'drop', early_drop: 'earlyDrop', error: 'error' };
  for (const m of text.matchAll(/\b([a-z_]+)=(\d+)/g)) {
    const key = keys[m[1]!];
    if (key) stats[key] += Number(m[2]);
  }
  return stats;
}

/** `conntrack -E` reports lost events on stderr ("We have hit ENOBUFS! We are losing events."). */
export const isLostEventsLine = (line: string): boolean => /ENOBUFS|losing events/i.test(line);
