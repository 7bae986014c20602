// fw.watch: one sweep per interval (1 s default) reads the counters of every watched namespace — at most
// one `iptables-save -c` and one `nft -j -a list ruleset` each (plus iptables-legacy-save where legacy
// tables were found when watching began), never one spawn per rule — and sends each subscriber the rules
// whose counters moved, with deltas and the "no hit since watching began / ever" flags. What was read is
// parsed in full only when its shape changed (rules added, removed, moved); otherwise only its counter
// numbers are scanned (counter-scan.ts). Namespaces whose tables are all nf_tables' are read, after their
// first sweep, from iptables-nft-save's policy lines and `nft -a list ruleset` (no JSON), all in one
// `ip -batch` (counter-text.ts); a change of shape there is read in full again.
import type { FwCounterDelta, FwCountersEvent, FwRuleset } from '../../shared/contract/firewall.js';
import { FW_WATCH_INTERVAL } from '../../shared/contract/firewall.js';
import { IpBatchSession } from '../exec/ip-batch-session.js';
import type { ClientHandle } from '../rpc/dispatcher.js';
import { countersFromSlots, policyId, sameShape, sameValues, scanTexts, slotsOf, type Counter, type Counters, type CounterTexts, type Scan, type Slots } from './counter-scan.js';
import { briefSlotsOf, countersMoved, sameBriefShape, scanBrief, type BriefScan, type BriefTexts, type Moved } from './counter-text.js';
import { buildRuleset, readBriefBatched, readCounterTexts } from './ruleset.js';
import type { FwNetns } from './netns.js';

/** The counters of a ruleset: rules by id, built-in chains' policies by `<source>/<family>/<table>/<chain>`. */
export function countersOf(rs: FwRuleset): Counters {
  const rules = new Map<string, Counter>();
  const policies = new Map<string, Counter>();
  for (const t of rs.tables) {
    for (const c of t.chains) {
      if (c.packets !== null) policies.set(policyId(t.source, t.family, t.name, c.name), { packets: c.packets, bytes: c.bytes ?? 0 });
      for (const r of c.rules) if (r.packets !== null) rules.set(r.id, { packets: r.packets, bytes: r.bytes ?? 0 });
    }
  }
  return { rules, policies };
}

/** Deltas of one sweep against the previous one and the first; only what moved unless `all`; only the
 * ids in `among` where the caller knows that nothing else moved. */
export function diffCounters(now: Map<string, Counter>, prev: Map<string, Counter> | null, first: Map<string, Counter>, all: boolean, among?: readonly string[]): FwCounterDelta[] {
  const out: FwCounterDelta[] = [];
  for (const id of among ?? now.keys()) {
    const c = now.get(id)!;
    const p = prev?.get(id);
    if (!first.has(id)) first.set(id, c);
    const base = first.get(id)!;
    const dPackets = p ? c.packets - p.packets : 0;
    const dBytes = p ? c.bytes - p.bytes : 0;
    if (!all && p && dPackets === 0 && dBytes === 0) continue;
    out.push({ id, packets: c.packets, bytes: c.bytes, dPackets, dBytes, zeroSinceWatch: c.packets === base.packets, zeroSinceStart: c.packets === 0 });
  }
  return out;
}

interface Watched {
  netns: FwNetns;
  clients: Map<string, ClientHandle>;
  legacy: boolean | null;
  prev: Counters | null;
  first: Counters;
  /** The last regular sweep's scan (what `prev` was read from), and where each id's counter is in it;
   * slots null: this shape's counters could not all be placed, so it is parsed in full every time. */
  scan: Scan | null;
  slots: Slots | null;
  /** The last brief read's scan, and where each id's counter is in it; null: this namespace is read in full. */
  brief: BriefScan | null;
  briefSlots: Slots | null;
  /** How many rules read as at the first sweep, as last sent. */
  zero: number;
  /** The last full read's shape could not be placed in a brief read: no nft text is read for it again
   * until the shape changes. */
  unplaceable: boolean;
}

const rulesetOf = (netns: FwNetns, t: CounterTexts): FwRuleset => buildRuleset(netns, { ...t, nftText: null });

const keyOf = (netns: FwNetns): string => netns ?? '';

export class CounterWatch {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  interval: number = FW_WATCH_INTERVAL.default;

  /** The brief sweeps' one long-lived `ip -batch` (ended by close()). */
  private readonly batch = new IpBatchSession();
  private readonly readMany: (netns: string[]) => Promise<Map<string, BriefTexts | Error> | null>;

  constructor(
    private readonly read: (netns: FwNetns, legacy: boolean, text: boolean) => Promise<CounterTexts> = readCounterTexts,
    readMany?: (netns: string[]) => Promise<Map<string, BriefTexts | Error> | null>,
  ) {
    this.readMany = readMany ?? ((netns) => readBriefBatched(netns, (input) => this.batch.read(input)));
  }

  /** Adds a client to these namespaces; a namespace new to the watch is swept for it at once. */
  watch(client: ClientHandle, targets: FwNetns[], interval?: number): FwNetns[] {
    if (interval !== undefined) this.setInterval(interval);
    for (const netns of targets) {
      const w = this.watched.get(keyOf(netns)) ?? { netns, clients: new Map(), legacy: null, prev: null, first: { rules: new Map(), policies: new Map() }, scan: null, slots: null, brief: null, briefSlots: null, zero: 0, unplaceable: false };
      w.clients.set(client.id, client);
      this.watched.set(keyOf(netns), w);
      // A client that joins late gets the whole table on its first sweep.
      if (w.prev) void this.sweepOne(w, client.id);
    }
    this.start();
    return this.watching(client.id);
  }

  unwatch(clientId: string, targets?: FwNetns[]): FwNetns[] {
    for (const [key, w] of this.watched) {
      if (targets && !targets.some((t) => keyOf(t) === key)) continue;
      w.clients.delete(clientId);
      if (w.clients.size === 0) this.watched.delete(key);
    }
    if (this.watched.size === 0) void this.close();
    return this.watching(clientId);
  }

  watching(clientId: string): FwNetns[] {
    return [...this.watched.values()].filter((w) => w.clients.has(clientId)).map((w) => w.netns);
  }

  setInterval(ms: number): void {
    this.interval = Math.min(FW_WATCH_INTERVAL.max, Math.max(FW_WATCH_INTERVAL.min, ms));
    if (this.timer) {
      this.stopTimer();
      this.start();
    }
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep(), this.interval);
    this.timer.unref();
    void this.sweep();
  }

  /**
   * One sweep of every watched namespace; a sweep still running when the next is due is not doubled.
   * Namespaces whose counters were placed in nft's text are read together in one spawn; the root
   * namespace, and each namespace on its first sweep, one by one.
   */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepAll().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async sweepAll(): Promise<void> {
    const all = [...this.watched.values()];
    const together = all.filter((w): w is Watched & { netns: string } => w.netns !== null && w.briefSlots !== null);
    const read = together.length > 0 ? await this.readMany(together.map((w) => w.netns)).catch(() => null) : null;
    await Promise.all(all.map((w) => this.sweepOne(w, undefined, w.netns !== null ? read?.get(w.netns) : undefined)));
  }

  /** A brief sweep (counter-text.ts): the counters, or null when its shape changed (then read in full). */
  private fromBrief(w: Watched, texts: BriefTexts, onlyClient: string | undefined): Moved | null {
    const scan = scanBrief(texts, w.brief);
    if (!w.briefSlots || !w.prev || onlyClient !== undefined || !sameBriefShape(w.brief, scan)) return null;
    const before = w.brief!.values;
    w.brief = scan;
    return sameValues(before, scan.values) ? { counters: w.prev, rules: [], policies: [] } : countersMoved(w.briefSlots, before, scan.values, w.prev);
  }

  /** A sweep of everything: what the tools printed, scanned or parsed (counter-scan.ts). */
  private async fromFull(w: Watched, onlyClient: string | undefined): Promise<{ now: Counters; same: boolean } | null> {
    const texts = await this.read(w.netns, w.legacy ?? true, w.netns !== null && w.legacy !== true && !w.unplaceable);
    const scan = scanTexts(texts, w.scan);
    const same = w.prev !== null && sameShape(w.scan, scan);
    const brief = texts.nftText !== undefined ? scanBrief({ nfSave: texts.nfSave, nftText: texts.nftText }) : null;
    // Nothing moved: nothing to send (a late client's first sweep sends the whole table, as it was); but a
    // brief read of a new shape is placed again, or every sweep after this one would be a full one.
    if (same && sameValues(w.scan!.values, scan.values) && onlyClient === undefined && (!brief || sameBriefShape(w.brief, brief))) return null;
    let ruleset: FwRuleset | null = null;
    const parse = (read: CounterTexts): Counters => {
      const rs = rulesetOf(w.netns, read);
      ruleset = rs;
      w.legacy ??= rs.legacyTables;
      return countersOf(rs);
    };
    // A new shape: one parse of the marked copy places every counter.
    const slots = same ? w.slots : slotsOf(texts, scan, parse);
    let now = slots ? countersFromSlots(slots, scan.values) : parse(texts);
    if (onlyClient === undefined) {
      w.scan = scan;
      w.slots = slots;
      if (brief) {
        w.brief = brief;
        w.briefSlots = briefSlotsOf(brief, ruleset ?? rulesetOf(w.netns, texts));
        // the counters as the brief sweeps after this one read them (nft's text was read apart from
        // its JSON: a counter that moved between the two reads would otherwise stay a few packets off)
        if (w.briefSlots) now = countersFromSlots(w.briefSlots, brief.values);
        w.unplaceable = w.briefSlots === null;
      } else if (!same) w.unplaceable = false;
    }
    return { now, same };
  }

  private async sweepOne(w: Watched, onlyClient?: string, given?: BriefTexts | Error): Promise<void> {
    const t = Date.now();
    const base = { t, interval: this.interval, netns: w.netns, node: w.netns?.startsWith('nslab-') ? w.netns.slice('nslab-'.length) : null };
    let event: FwCountersEvent;
    try {
      if (given instanceof Error) throw given;
      const moved = given !== undefined ? this.fromBrief(w, given, onlyClient) : null;
      if (moved && !moved.rules.length && !moved.policies.length) return;
      const read = moved ? { now: moved.counters, same: true } : await this.fromFull(w, onlyClient);
      if (!read) return;
      const { now, same } = read;
      const all = !w.prev || onlyClient !== undefined;
      const prev = onlyClient !== undefined ? null : w.prev;
      // The same shape has the same ids (read through the same slots): nothing was removed or added.
      const compare = w.prev !== null && !onlyClient && !same;
      const removed = compare ? [...w.prev!.rules.keys()].filter((id) => !now.rules.has(id)) : [];
      const added = compare ? [...now.rules.keys()].some((id) => !w.prev!.rules.has(id)) : false;
      // a brief sweep knows which ids moved: only those are compared (moved is null when `all`)
      const rules = diffCounters(now.rules, prev?.rules ?? null, w.first.rules, all, moved?.rules);
      const policies = diffCounters(now.policies, prev?.policies ?? null, w.first.policies, all, moved?.policies);
      for (const id of removed) w.first.rules.delete(id);
      const atFirst = (c: Counter | undefined, id: string): number => (c?.packets === w.first.rules.get(id)?.packets ? 1 : 0);
      let zero = 0;
      if (moved) zero = moved.rules.reduce((n, id) => n - atFirst(w.prev!.rules.get(id), id) + atFirst(now.rules.get(id), id), w.zero);
      else now.rules.forEach((c, id) => (zero += atFirst(c, id)));
      if (onlyClient === undefined) {
        w.prev = now;
        w.zero = zero;
      }
      event = { ...base, rules, policies, removed, total: now.rules.size, zeroSinceWatch: zero, changed: removed.length > 0 || added };
      if (!all && !rules.length && !policies.length && !event.changed) return;
    } catch (err) {
      event = { ...base, rules: [], policies: [], removed: [], total: 0, zeroSinceWatch: 0, changed: false, error: (err as Error).message };
    }
    for (const [id, client] of w.clients) if (onlyClient === undefined || id === onlyClient) client.notify('fw.counters', event);
  }

  /** Stops the sweeps and ends the brief sweeps' ip; resolves once it has exited. */
  close(): Promise<void> {
    this.stopTimer();
    return this.batch.close();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
