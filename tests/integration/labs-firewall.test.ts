// The firewall labs on the real kernel through one helper: a trace through the ping-failed lab ends at
// FORWARD's DROP policy, and the labs' checks that read counters through the firewall reader (fw-counter)
// and walk a packet (trace) fail before their step is solved and pass after. The kernel ends as it began.
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult, ProbeResult, TraceWalk } from '../../electron/shared/contract/index.js';
import { useHelper } from '../support/helper.js';

const h = useHelper();
const up = new Set<string>();

afterAll(async () => {
  for (const id of up) await h.helper.call('lab.down', { id }).catch(() => undefined);
});

async function labUp(id: string): Promise<void> {
  await h.helper.call('lab.up', { id });
  up.add(id);
}

/** The probes of one step that look through the firewall reader or the walk. */
async function newProbes(id: string, step: number): Promise<ProbeResult[]> {
  const r = await h.helper.call<CheckResult>('lab.check', { id, step });
  return r.steps[0]!.probes.filter((p) => p.probe === 'fw-counter' || p.probe === 'trace');
}

const states = (probes: ProbeResult[]): Record<string, boolean> => Object.fromEntries(probes.map((p) => [p.id, p.ok]));

describe('ping-failed', () => {
  it('a trace RED → BLUE reaches FORWARD in the host and ends at its DROP policy', async () => {
    await labUp('ping-failed');
    const walk = await h.helper.call<TraceWalk>('trace.run', { from: 'pf-red', to: '10.0.0.2' });
    expect(walk.probe.ok).toBe(false);
    const request = walk.hops.filter((x) => x.direction === 'request');
    const hooks = [...new Set(request.filter((x) => x.observer).map((x) => `${x.node} ${x.hook}`))];
    expect(hooks).toEqual(['pf-red output', 'pf-red postrouting', 'pf-host prerouting', 'pf-host forward']);
    const last = request.at(-1)!;
    expect(last).toMatchObject({ netns: 'nslab-pf-host', hook: 'forward', table: 'filter', chain: 'FORWARD', verdict: 'drop', byPolicy: true, observer: false });
    expect(walk.fates).toEqual([
      { direction: 'request', kind: 'dropped', netns: 'nslab-pf-host', detail: 'dropped in pf-host by the FORWARD policy DROP (filter table, forward hook)', rule: null },
    ]);
    expect(walk.unjoined).toBe(0);
  });

  it('its walk and counter checks: the investigation passes at once, the fix fails before solve and passes after', async () => {
    const investigate = await newProbes('ping-failed', 1);
    expect(states(investigate)).toEqual({ walk: true, drops: true });
    expect(investigate.find((p) => p.id === 'drops')!.observed).toMatch(/^[1-9]\d* packets \(policy\)$/);

    const before = await newProbes('ping-failed', 2);
    expect(states(before)).toEqual({ walk: false });
    expect(before[0]!.observed).toMatch(/pf-host forward: dropped in pf-host by the FORWARD policy DROP/);
    const hint = await h.helper.call<{ hint: { en: string } | null }>('lab.hint', { id: 'ping-failed', step: 2 });
    expect(hint.hint?.en).toMatch(/./);

    await h.helper.call('lab.solve', { id: 'ping-failed', step: 2 });
    const after = await newProbes('ping-failed', 2);
    expect(states(after)).toEqual({ walk: true });
    expect(after[0]!.observed).toMatch(/pf-host forward → pf-host postrouting → pf-blue prerouting → pf-blue input: delivered to the local stack of pf-blue/);
    const all = await h.helper.call<CheckResult>('lab.check', { id: 'ping-failed' });
    expect(all.ok).toBe(true);
    await h.helper.call('lab.down', { id: 'ping-failed' });
    up.delete('ping-failed');
  });
});

describe('nat-outside', () => {
  it('the MASQUERADE counter and the walk to the outside fail before the masquerade step is solved and pass after', async () => {
    await labUp('nat-outside');
    await h.helper.call('lab.solve', { id: 'nat-outside', step: 1 });
    const before = await newProbes('nat-outside', 2);
    expect(states(before)).toEqual({ 'masq-count': false, walk: false });
    expect(before.find((p) => p.id === 'walk')!.observed).toMatch(/nat-host prerouting: arrived in nat-host on br0 and went no further/);

    await h.helper.call('lab.solve', { id: 'nat-outside', step: 2 });
    const after = await newProbes('nat-outside', 2);
    expect(states(after)).toEqual({ 'masq-count': true, walk: true });
    expect(after.find((p) => p.id === 'walk')!.observed).toMatch(/nat-host forward → nat-host postrouting → nat-outside prerouting → nat-outside input: delivered/);
    await h.helper.call('lab.down', { id: 'nat-outside' });
    up.delete('nat-outside');
  });
});

describe('netfilter-hooks', () => {
  it('the FORWARD counter read through the firewall reader fails before solve and passes after; the walk step passes then', async () => {
    await labUp('netfilter-hooks');
    await h.helper.call('lab.solve', { id: 'netfilter-hooks', step: 1 });
    expect(states(await newProbes('netfilter-hooks', 2))).toEqual({ 'fw-fwd': false });
    expect(states(await newProbes('netfilter-hooks', 4))).toEqual({ walk: true, 'policy-fwd': false });

    await h.helper.call('lab.solve', { id: 'netfilter-hooks', step: 2 });
    expect(states(await newProbes('netfilter-hooks', 2))).toEqual({ 'fw-fwd': true });
    const walk = await newProbes('netfilter-hooks', 4);
    expect(states(walk)).toEqual({ walk: true, 'policy-fwd': true });
    expect(walk[0]!.observed).toMatch(/hk-router prerouting → hk-router forward → hk-router postrouting → hk-blue prerouting → hk-blue input: delivered/);
    await h.helper.call('lab.down', { id: 'netfilter-hooks' });
    up.delete('netfilter-hooks');
  });
});
