// The diagnoser on bridges and asymmetric paths, on the real kernel: a port missing from its bridge or
// down, a FORWARD DROP policy that br_netfilter applies to bridged frames, strict rp_filter on an
// asymmetric path, and a reply dropped as conntrack INVALID by a router that never saw the request.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { WhyAnswer } from '../../electron/shared/contract/index.js';
import { nslab } from '../support/cli.js';
import { useHelper } from '../support/helper.js';
import { ASYM, SWITCH, ping, pingOk } from '../support/why-lab.js';

const h = useHelper({
  setup: async (stateDir) => {
    for (const [name, text] of [['why-switch', SWITCH], ['why-asym', ASYM]]) {
      const file = join(stateDir, `${name}.yaml`);
      writeFileSync(file, text!);
      const r = await nslab(stateDir, ['topo', 'apply', file]);
      if (r.code !== 0) throw new Error(`topo apply failed: ${r.stderr}`);
    }
  },
});

const explain = (params: Record<string, unknown>) => h.helper.call<WhyAnswer>('why.explain', params);
const call = (method: string, params: Record<string, unknown>) => h.helper.call(method, params);

interface Case {
  fault: string;
  inject(): Promise<unknown>;
  ask: { from: string; to: string };
  first: { id: string; key: string; node: string };
  cleanup?(): Promise<unknown>;
}

const toRight = { from: 'wy-left', to: '10.96.0.2' };
const toBlue = { from: 'wa-red', to: '10.97.2.2' };

const CASES: Case[] = [
  { fault: 'bridge port missing', inject: () => call('net.link.set', { node: 'wy-sw', name: 'p2', master: null }), ask: toRight, first: { id: 'bridge.port', key: 'bridge.port-missing', node: 'wy-sw' } },
  { fault: 'bridge port down', inject: () => call('net.link.set', { node: 'wy-sw', name: 'p2', up: false }), ask: toRight, first: { id: 'bridge.port', key: 'bridge.port-down', node: 'wy-sw' } },
  {
    fault: 'FORWARD DROP policy with br_netfilter',
    inject: () => call('fw.policy.set', { node: 'wy-sw', chain: 'FORWARD', policy: 'DROP' }),
    ask: toRight,
    first: { id: 'chain', key: 'chain.drop', node: 'wy-sw' },
  },
  {
    fault: 'rp_filter strict on an asymmetric path',
    inject: () => call('net.sysctl.set', { node: 'wa-red', key: 'rp_filter', value: 1 }),
    ask: toBlue,
    first: { id: 'rp_filter', key: 'rpfilter.drop', node: 'wa-red' },
  },
  {
    fault: 'conntrack INVALID dropped by a rule',
    inject: () => call('fw.rule.add', { node: 'wa-rb', line: '-A FORWARD -m conntrack --ctstate INVALID -j DROP' }),
    ask: toBlue,
    first: { id: 'ct.invalid', key: 'ct.invalid', node: 'wa-rb' },
  },
];

for (const c of CASES) {
  it(`diagnoses ${c.fault}, and its fix makes the probe pass`, async () => {
    expect(pingOk(c.ask.from, c.ask.to)).toBe(true);
    await c.inject();
    expect(ping(c.ask.from, c.ask.to)).toBe(false);
    const a = await explain(c.ask);
    const first = a.checks[a.first!]!;
    expect({ id: first.id, key: first.key, node: first.node }, JSON.stringify(a.checks.map((x) => [x.id, x.status, x.node, x.title.en]))).toEqual(c.first);
    expect(first.evidence.length).toBeGreaterThan(0);
    expect(a.fix?.actions.length).toBeGreaterThan(0);
    await call('why.fix', { actions: a.fix!.actions });
    expect(pingOk(c.ask.from, c.ask.to)).toBe(true);
    expect((await explain(c.ask)).reachable).toBe(true);
    await c.cleanup?.();
  });
}

it('shows the bridge crossing, bridge-nf-call-iptables and the bridged FORWARD chain when all is well', async () => {
  const a = await explain(toRight);
  expect(a.reachable).toBe(true);
  expect(a.checks.filter((c) => c.node === 'wy-sw').map((c) => c.key)).toEqual(expect.arrayContaining(['bridge.ok', 'bridge.nf', 'chain.accept']));
});
