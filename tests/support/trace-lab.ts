// RED → router → BLUE for the packet-walk and conntrack tests: two /24s, the router forwards and
// MASQUERADEs what leaves towards BLUE. Built with `nslab topo apply` (so the ledger owns it); the nat
// rule is added inside the router, which the test's gc deletes with everything else.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nslab } from './cli.js';

export const RED = 'nslab-tr-red';
export const ROUTER = 'nslab-tr-router';
export const BLUE = 'nslab-tr-blue';
export const BLUE_ADDR = '10.93.2.2';
export const MASQUERADE = 'iptables -t nat -A POSTROUTING -o b0 -m comment --comment nslab:trace-test -j MASQUERADE';

const TOPOLOGY = `name: trace-test
description: { en: 'RED, router and BLUE for the packet walk', ko: '패킷 추적용 RED, 라우터, BLUE' }
nodes:
  - { name: tr-red, routes: [{ to: default, via: 10.93.1.1 }] }
  - { name: tr-router, forwarding: true }
  - { name: tr-blue, routes: [{ to: default, via: 10.93.2.1 }] }
links:
  - endpoints: [{ node: tr-red, name: eth0, addresses: [10.93.1.2/24] }, { node: tr-router, name: r0, addresses: [10.93.1.1/24] }]
  - endpoints: [{ node: tr-blue, name: eth0, addresses: [10.93.2.2/24] }, { node: tr-router, name: b0, addresses: [10.93.2.1/24] }]
`;

export const inNs = (netns: string, ...argv: string[]) => spawnSync('ip', ['netns', 'exec', netns, ...argv], { encoding: 'utf8' });

export async function buildTraceLab(stateDir: string): Promise<void> {
  const file = join(stateDir, 'trace-test.yaml');
  writeFileSync(file, TOPOLOGY);
  const r = await nslab(stateDir, ['topo', 'apply', file]);
  if (r.code !== 0) throw new Error(`topo apply failed: ${r.stderr}`);
  const nat = inNs(ROUTER, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'b0', '-m', 'comment', '--comment', 'nslab:trace-test', '-j', 'MASQUERADE');
  if (nat.status !== 0) throw new Error(`iptables failed: ${nat.stderr}`);
}

/** Namespaces that still hold an nslab_trace table. */
export const traceTablesLeft = (): string[] => [RED, ROUTER, BLUE].filter((ns) => /nslab_trace/.test(inNs(ns, 'nft', 'list', 'tables').stdout ?? ''));
