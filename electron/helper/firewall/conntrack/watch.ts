// Live conntrack events per namespace: one `conntrack -E` per watched namespace, shared by every client
// watching it, stopped when the last one leaves. A NEW entry with NAT is held until the nat counters have
// been read, so it arrives linked to the rule that made it (later events of the namespace wait behind it,
// keeping order). Events the kernel could not deliver (ENOBUFS) are counted and reported. A watch is
// answered once `conntrack -E` has joined the kernel's event groups: a flow made right after the answer
// must not be missed.
import type { ConntrackEvent } from '../../../shared/contract/index.js';
import { spawnLines, type LineStream } from '../../exec/lines.js';
import { NETLINK_NETFILTER, untilSubscribed } from '../../exec/netlink-subscribed.js';
import type { ClientHandle } from '../../rpc/dispatcher.js';
import { inNetns } from '../netns.js';
import { movedRules, natRuleFor, readNatCounters, type NatRuleCounter } from './nat-rules.js';
import { isLostEventsLine, parseConntrackLine, type ParsedConntrackLine } from './parse.js';

/** The kernel-side socket buffer asked for: a burst of new flows must not overflow it. */
const EVENT_BUFFER_BYTES = 8 * 1024 * 1024;
/** NFNLGRP_CONNTRACK_NEW, _UPDATE and _DESTROY (groups 1–3): bits 0–2 of the groups mask. */
const CONNTRACK_EVENT_GROUPS = 0b111;

interface Watch {
  netns: string;
  stream: LineStream;
  clients: Map<string, ClientHandle>;
  lost: number;
  /** Events waiting behind a nat-counter read. */
  queue: ParsedConntrackLine[];
  resolving: boolean;
  natCounters: Promise<NatRuleCounter[]>;
  /** Settles once the listener is subscribed; rejects (and the watch ends) when it never is. */
  listening: Promise<void>;
}

export class ConntrackWatches {
  private readonly watches = new Map<string, Watch>();

  /** Adds the client to the namespace's watch; resolves once events are being received. */
  watch(client: ClientHandle, netns: string): Promise<void> {
    let w = this.watches.get(netns);
    if (!w) {
      const stream = spawnLines(
        inNetns(netns, ['conntrack', '-E', '-o', 'extended,id,timestamp', '-b', String(EVENT_BUFFER_BYTES)]),
        (line) => this.onLine(created, line),
        (line) => {
          if (!isLostEventsLine(line)) return;
          created.lost++;
          this.send(created, { kind: 'lost', netns, at: Date.now(), lost: created.lost });
        },
      );
      const created: Watch = {
        netns,
        stream,
        clients: new Map(),
        lost: 0,
        queue: [],
        resolving: false,
        natCounters: readNatCounters(netns).catch(() => []),
        listening: untilSubscribed(stream, NETLINK_NETFILTER, CONNTRACK_EVENT_GROUPS, `conntrack -E in ${netns}`),
      };
      w = created;
      this.watches.set(netns, w);
      void w.stream.exited.then(
        ({ code, stderr }) => this.ended(created, code === 0 || code === null ? 'stopped' : stderr.trim() || `conntrack exited with ${code}`),
        (err: Error) => this.ended(created, err.message),
      );
    }
    w.clients.set(client.id, client);
    return w.listening;
  }

  /** Stops this client's watch; returns the events lost so far in that namespace. */
  unwatch(clientId: string, netns: string): number {
    const w = this.watches.get(netns);
    if (!w) return 0;
    w.clients.delete(clientId);
    if (w.clients.size === 0) this.stop(w);
    return w.lost;
  }

  unwatchAll(clientId: string): void {
    for (const netns of [...this.watches.keys()]) this.unwatch(clientId, netns);
  }

  close(): void {
    for (const w of [...this.watches.values()]) this.stop(w);
  }

  private stop(w: Watch): void {
    this.watches.delete(w.netns);
    w.stream.stop();
  }

  private ended(w: Watch, reason: string): void {
    if (this.watches.get(w.netns) === w) this.watches.delete(w.netns);
    this.send(w, { kind: 'end', netns: w.netns, at: Date.now(), reason });
  }

  private send(w: Watch, event: ConntrackEvent): void {
    for (const client of w.clients.values()) client.notify('ct.event', event);
  }

  private onLine(w: Watch, raw: string): void {
    const parsed = parseConntrackLine(raw);
    if (!parsed?.type) return;
    w.queue.push(parsed);
    void this.drain(w);
  }

  private async drain(w: Watch): Promise<void> {
    if (w.resolving) return;
    w.resolving = true;
    try {
      while (w.queue.length) {
        const next = w.queue.shift()!;
        if (next.type === 'NEW' && next.entry.nat.length) {
          const before = await w.natCounters;
          w.natCounters = readNatCounters(w.netns).catch(() => before);
          const after = await w.natCounters;
          next.entry.natRule = natRuleFor(next.entry, movedRules(before, after)) ?? natRuleFor(next.entry, after);
        }
        this.send(w, { kind: 'entry', netns: w.netns, type: next.type!, at: next.at !== null ? Math.round(next.at * 1000) : Date.now(), entry: next.entry });
      }
    } finally {
      w.resolving = false;
    }
  }
}
