// The counter sweep's fast path must give exactly what the full parse gives: checked on the captured
// rulesets (iptables-nft with Docker-like chains, legacy, native nft) with counters changed at random.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FwCountersEvent } from '../../electron/shared/contract/firewall.js';
import { countersFromSlots, sameShape, sameValues, scanTexts, slotsOf, type CounterTexts } from '../../electron/helper/firewall/counter-scan.js';
import { briefSlotsOf, sameBriefShape, scanBrief } from '../../electron/helper/firewall/counter-text.js';
import { buildRuleset } from '../../electron/helper/firewall/ruleset.js';
import { CounterWatch, countersOf } from '../../electron/helper/firewall/watch.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../fixtures/firewall', name), 'utf8');
const captured = (): CounterTexts => ({ def: 'nf_tables', nfSave: fixture('iptables-nft-save.txt'), legacySave: fixture('iptables-legacy-save.txt'), nftJson: fixture('nft-ruleset.json') });
const full = (t: CounterTexts) => countersOf(buildRuleset('nslab-fxcap', { ...t, nftText: null }));

/** The texts with the k-th counter (in nfSave, legacySave, nftJson order) set to `to(k)`, or left if undefined. */
function withCounters(t: CounterTexts, to: (k: number) => [number, number] | undefined): CounterTexts {
  let k = 0;
  const save = (s: string) => s.replace(/\[(\d+):(\d+)\]/g, (m) => { const v = to(k++); return v ? `[${v[0]}:${v[1]}]` : m; });
  const nfSave = save(t.nfSave);
  const legacySave = save(t.legacySave);
  const nftJson = t.nftJson.replace(/"packets": (\d+), "bytes": (\d+)/g, (m) => { const v = to(k++); return v ? `"packets": ${v[0]}, "bytes": ${v[1]}` : m; });
  return { ...t, nfSave, legacySave, nftJson };
}

/** A small deterministic generator (the test must fail the same way every time). */
function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31), x / 2 ** 31);
}

describe('counter scan', () => {
  it('takes the numbers out of the shape, and iptables-save\'s dated comments with them', () => {
    const a = captured();
    const b = { ...a, nfSave: a.nfSave.replace(/on Tue Dec {2}1 19:46:31 2026/g, 'on Wed Dec  2 08:00:00 2026') };
    const moved = withCounters(a, (k) => (k === 3 ? [7, 700] : undefined));
    expect(sameShape(scanTexts(a), scanTexts(b))).toBe(true);
    expect(sameShape(scanTexts(a), scanTexts(moved))).toBe(true);
    // a rule more is another shape
    const more = { ...a, nfSave: a.nfSave.replace('COMMIT', '[0:0] -A INPUT -j ACCEPT\nCOMMIT') };
    expect(sameShape(scanTexts(a), scanTexts(more))).toBe(false);
    // a part whose text did not change is not scanned again
    const first = scanTexts(a);
    expect(scanTexts(moved, first).parts[2]).toBe(first.parts[2]);
    expect(scanTexts(moved, first).parts[0]).not.toBe(first.parts[0]);
    expect(sameValues(scanTexts(b).values, scanTexts(a).values)).toBe(true);
    expect(sameValues(scanTexts(moved).values, scanTexts(a).values)).toBe(false);
    expect(scanTexts(a).values.slice(0, 4)).toEqual([6, 504, 6, 504]); // mangle PREROUTING, INPUT
  });

  it('reads a single read (ending in a newline) and a batched one (not) as the same shape, and an iptables-save that changed only its dates as the same numbers without scanning them', () => {
    const a = captured();
    const batched = { ...a, nfSave: a.nfSave.trimEnd(), legacySave: a.legacySave.trimEnd(), nftJson: a.nftJson.trimEnd() };
    expect(a.nftJson.endsWith('\n')).toBe(true);
    const single = scanTexts(a);
    expect(sameShape(single, scanTexts(batched, single))).toBe(true);
    expect(sameValues(single.values, scanTexts(batched, single).values)).toBe(true);
    const later = { ...a, nfSave: a.nfSave.replace(/on Tue Dec {2}1 19:46:31 2026/g, 'on Wed Dec  2 08:00:00 2026') };
    expect(later.nfSave).not.toBe(a.nfSave);
    const again = scanTexts(later, single);
    expect(again.parts[0].values).toBe(single.parts[0].values); // not scanned again
    expect(again.parts[0].raw).toBe(later.nfSave);
    // a counter that moved is still seen after such a sweep
    const moved = withCounters(later, (k) => (k === 0 ? [99, 9900] : undefined));
    expect(scanTexts(moved, again).values.slice(0, 2)).toEqual([99, 9900]);
  });

  it('places every rule and policy counter, iptables-nft, legacy and native nft alike', () => {
    const t = captured();
    const slots = slotsOf(t, scanTexts(t), full)!;
    expect(slots).not.toBeNull();
    const whole = full(t);
    expect(slots.rules.length).toBe(whole.rules.size);
    expect(slots.policies.length).toBe(whole.policies.size);
    expect(slots.rules.map(([id]) => id)).toContain('nft/inet/nslab_fx/input#7');
    expect(slots.rules.map(([id]) => id).some((id) => id.startsWith('iptables-legacy/'))).toBe(true);
  });

  it('reads exactly what the full parse reads, in the same order, for counters changed at random', () => {
    const t = captured();
    const slots = slotsOf(t, scanTexts(t), full)!;
    const next = random(13);
    for (let round = 0; round < 50; round++) {
      const moved = withCounters(t, () => (next() < 0.4 ? [Math.floor(next() * 1e9), Math.floor(next() * 1e12)] : undefined));
      const fast = countersFromSlots(slots, scanTexts(moved).values);
      const slow = full(moved);
      expect([...fast.rules]).toEqual([...slow.rules]);
      expect([...fast.policies]).toEqual([...slow.policies]);
    }
  });

  it('refuses a shape whose counters it cannot all place (then it is parsed in full)', () => {
    const t = captured();
    const stray = (marked: CounterTexts) => {
      const c = full(marked);
      c.rules.set('a-rule-counted-elsewhere', { packets: 5, bytes: 5 });
      return c;
    };
    expect(slotsOf(t, scanTexts(t), stray)).toBeNull();
  });
});

describe('counter watch on scans', () => {
  const watchOf = (reads: CounterTexts[]) => {
    const events: FwCountersEvent[] = [];
    let i = 0;
    const watch = new CounterWatch(async () => reads[Math.min(i++, reads.length - 1)]!, async () => null);
    watch.watch({ id: 'c', notify: (_e, p) => void events.push(p as FwCountersEvent), onClose: () => () => undefined }, ['nslab-fxcap'], 10_000);
    return { watch, events };
  };
  const t = captured();
  const ids = slotsOf(t, scanTexts(t), full)!.rules.map(([id]) => id);
  const INPUT8 = 'iptables-nft/ip/filter/INPUT#8';

  it('sends nothing when nothing moved, then exactly the moved rule and policy with their deltas', async () => {
    const k = ids.indexOf(INPUT8);
    expect(k).toBeGreaterThanOrEqual(0);
    // INPUT#8 reads [6:504] in iptables-nft-save: move it and the filter INPUT policy
    const moved = { ...t, nfSave: t.nfSave.replace(/^\[6:504\] -A INPUT -i lo -p icmp/m, '[9:756] -A INPUT -i lo -p icmp').replace(/^(\*filter\n):INPUT ACCEPT \[0:0\]/m, '$1:INPUT ACCEPT [2:120]') };
    expect(moved.nfSave).not.toBe(t.nfSave);
    const { watch, events } = watchOf([t, t, moved]);
    await watch.sweep(); // the start's own sweep
    await watch.sweep();
    await watch.sweep();
    watch.close();
    expect(events.length).toBe(2);
    expect(events[1]!.rules).toEqual([{ id: INPUT8, packets: 9, bytes: 756, dPackets: 3, dBytes: 252, zeroSinceWatch: false, zeroSinceStart: false }]);
    expect(events[1]!.policies).toEqual([{ id: 'iptables-nft/ip/filter/INPUT', packets: 2, bytes: 120, dPackets: 2, dBytes: 120, zeroSinceWatch: false, zeroSinceStart: false }]);
    expect(events[1]!.changed).toBe(false);
    expect(events[1]!.total).toBe(events[0]!.total);
  });

  it('a rule added or re-made (new handle, same text) changes the shape: parsed in full, reported as changed', async () => {
    // nft rule handle 7 in nslab_fx becomes handle 70: the same rule deleted and added again
    const remade = { ...t, nftJson: t.nftJson.replace('"chain": "input", "handle": 7,', '"chain": "input", "handle": 70,') };
    expect(remade.nftJson).not.toBe(t.nftJson);
    const { watch, events } = watchOf([t, remade]);
    await watch.sweep();
    await watch.sweep();
    watch.close();
    expect(events.length).toBe(2);
    expect(events[1]!.changed).toBe(true);
    expect(events[1]!.removed).toEqual(['nft/inet/nslab_fx/input#7']);
    expect(events[1]!.rules.map((r) => r.id)).toEqual(['nft/inet/nslab_fx/input#70']);
  });
});

describe('brief sweeps: iptables-nft-save and nft text, no JSON', () => {
  const t: CounterTexts = { ...captured(), legacySave: '', nftText: fixture('nft-ruleset.txt') };
  const brief = (nfSave: string, nftText: string) => scanBrief({ nfSave, nftText });
  const rs = () => buildRuleset('nslab-fxcap', { ...t, nftText: null });

  it('places every rule and policy counter of the captured ruleset: the same counters as the full parse', () => {
    const scan = brief(t.nfSave, t.nftText!);
    const slots = briefSlotsOf(scan, rs())!;
    expect(slots).not.toBeNull();
    const want = full(t);
    const got = countersFromSlots(slots, scan.values);
    expect(got.rules.size).toBeGreaterThan(20);
    expect([...got.rules]).toEqual([...want.rules]);
    expect([...got.policies]).toEqual([...want.policies]);
  });

  it('reads a rule from its handle line and a policy from its chain line, wherever else the numbers change', () => {
    const scan = brief(t.nfSave, t.nftText!);
    const slots = briefSlotsOf(scan, rs())!;
    const moved = brief(
      t.nfSave.replace(/^(\*filter\n):INPUT ACCEPT \[0:0\]/m, '$1:INPUT ACCEPT [2:120]'),
      t.nftText!.replace('counter packets 6 bytes 504 accept # handle 8', 'counter packets 9 bytes 756 accept # handle 8'),
    );
    expect(sameBriefShape(scan, moved)).toBe(true);
    const got = countersFromSlots(slots, moved.values);
    expect(got.rules.get('iptables-nft/ip/filter/INPUT#8')).toEqual({ packets: 9, bytes: 756 });
    expect(got.policies.get('iptables-nft/ip/filter/INPUT')).toEqual({ packets: 2, bytes: 120 });
    const others = [...got.rules].filter(([id]) => id !== 'iptables-nft/ip/filter/INPUT#8');
    expect(others).toEqual([...full(t).rules].filter(([id]) => id !== 'iptables-nft/ip/filter/INPUT#8'));
  });

  it('a comment that reads like a counter is not one; a re-made rule (new handle) is a new shape', () => {
    const line = 'counter packets 6 bytes 504 accept # handle 8';
    const commented = brief(t.nfSave, t.nftText!.replace(line, 'counter packets 6 bytes 504 accept comment "counter packets 1 bytes 2" # handle 8'));
    expect(commented.values).toEqual(brief(t.nfSave, t.nftText!).values);
    expect(sameBriefShape(brief(t.nfSave, t.nftText!), brief(t.nfSave, t.nftText!.replace(line, 'counter packets 6 bytes 504 accept # handle 80')))).toBe(false);
  });

  it('refuses what it cannot place: legacy tables, a rule line with two counters, a rule nft did not list', () => {
    const scan = brief(t.nfSave, t.nftText!);
    expect(briefSlotsOf(scan, buildRuleset('nslab-fxcap', { ...captured(), nftText: null }))).toBeNull();
    expect(briefSlotsOf(brief(t.nfSave, t.nftText!.replace('counter packets 6 bytes 504 accept # handle 8', 'counter packets 6 bytes 504 counter packets 1 bytes 1 accept # handle 8')), rs())).toBeNull();
    expect(briefSlotsOf(brief(t.nfSave, t.nftText!.replace('# handle 8', '# handle 88')), rs())).toBeNull();
  });
});
