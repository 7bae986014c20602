// Parser for `nft -a monitor trace` lines. Pure, unit-tested on output captured from the kernel.
//   trace id 6b692c8b ip filter FORWARD packet: iif "r0" oif "b0" … ip saddr 10.0.1.2 … icmp id 4242 …
//   trace id 6b692c8b ip filter FORWARD rule meta l4proto icmp counter packets 0 bytes 0 accept # handle 2 (verdict accept)
//   trace id 6b692c8b ip filter FORWARD policy drop
// (`nft monitor trace` has no JSON output in nft 1.0.x; with -a the rule lines carry their handle.)
import type { TracePacket } from '../../../shared/contract/index.js';

interface LineHead {
  /** The kernel's trace id: one per packet per namespace (it changes at each veth hop). */
  id: string;
  family: string;
  table: string;
  chain: string;
}

export type TraceLine = LineHead &
  (
    | { kind: 'packet'; packet: TracePacket }
    | { kind: 'rule'; handle: number | null; text: string; verdict: string }
    | { kind: 'policy'; verdict: string }
    | { kind: 'verdict'; verdict: string }
  );

const HEAD = /^trace id ([0-9a-f]+) (\S+) (\S+) (\S+) (.*)$/;
const VERDICT_TAIL = /\s*\(verdict ([^)]+)\)\s*$/;
const HANDLE_TAIL = /\s*# handle (\d+)\s*$/;

const TCP_FLAGS = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ecn', 'cwr'];

/** nft prints one flag by name (`syn`) and a combination as hex (`0x14`): always names, `rst|ack`. */
export function tcpFlagNames(printed: string): string {
  if (!/^0x[0-9a-f]+$/i.test(printed)) return printed.replace(/,/g, '|');
  const bits = parseInt(printed, 16);
  return TCP_FLAGS.filter((_, i) => bits & (1 << i)).join('|');
}

const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));

/** The header fields nslab shows and joins on. */
export function parsePacket(fields: string): TracePacket {
  const pick = (re: RegExp): string | undefined => re.exec(fields)?.[1];
  const l4 = pick(/\b(tcp|udp|icmp|sctp) /);
  const packet: TracePacket = {
    iif: pick(/\biif "([^"]+)"/),
    oif: pick(/\boif "([^"]+)"/),
    saddr: pick(/\bip saddr (\S+)/),
    daddr: pick(/\bip daddr (\S+)/),
    ipId: num(pick(/\bip id (\d+)/)),
    ttl: num(pick(/\bip ttl (\d+)/)),
    length: num(pick(/\bip length (\d+)/)),
    protocol: l4 ?? pick(/\bip protocol (\S+)/),
    sport: num(pick(/\b(?:tcp|udp|sctp) sport (\d+)/)),
    dport: num(pick(/\b(?:tcp|udp|sctp) dport (\d+)/)),
    tcpFlags: ((f) => (f === undefined ? undefined : tcpFlagNames(f)))(pick(/\btcp flags == (\S+)/) ?? pick(/\btcp flags (\S+)/)),
    icmpType: pick(/\bicmp type (\S+)/),
    icmpId: num(pick(/\bicmp id (\d+)/)),
    icmpSeq: num(pick(/\bicmp sequence (\d+)/)),
    mark: pick(/\bmeta mark (\S+)/),
  };
  for (const k of Object.keys(packet) as (keyof TracePacket)[]) if (packet[k] === undefined) delete packet[k];
  return packet;
}

export function parseTraceLine(raw: string): TraceLine | null {
  const m = HEAD.exec(raw.trim());
  if (!m) return null;
  const head: LineHead = { id: m[1]!, family: m[2]!, table: m[3]!, chain: m[4]! };
  const rest = m[5]!;
  if (rest.startsWith('packet: ')) return { ...head, kind: 'packet', packet: parsePacket(rest.slice('packet: '.length)) };
  if (rest.startsWith('policy ')) return { ...head, kind: 'policy', verdict: rest.slice('policy '.length).trim() };
  if (rest.startsWith('verdict ')) return { ...head, kind: 'verdict', verdict: rest.slice('verdict '.length).trim() };
  if (rest.startsWith('rule ') || rest.startsWith('unknown rule handle ')) {
    const verdict = VERDICT_TAIL.exec(rest);
    let text = verdict ? rest.slice(0, verdict.index) : rest;
    // nft prints this when its cache lacks the rule; the handle is resolved against a fresh snapshot.
    const unknown = /^unknown rule handle (\d+)/.exec(text);
    if (unknown) return { ...head, kind: 'rule', handle: Number(unknown[1]), text: '', verdict: verdict?.[1]?.trim() ?? 'continue' };
    text = text.slice('rule '.length);
    const handle = HANDLE_TAIL.exec(text);
    if (handle) text = text.slice(0, handle.index);
    return { ...head, kind: 'rule', handle: handle ? Number(handle[1]) : null, text: text.replace(/\s{2,}/g, ' ').trim(), verdict: verdict?.[1]?.trim() ?? 'continue' };
  }
  return null;
}

/** Every parsable line of a capture. */
export const parseTraceOutput = (text: string): TraceLine[] =>
  text
    .split('\n')
    .map(parseTraceLine)
    .filter((l): l is TraceLine => l !== null);
