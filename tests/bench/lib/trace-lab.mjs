// RED → router (MASQUERADE) → BLUE for the trace and conntrack benchmarks, through a helper of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from './proc.mjs';
import { rpcClient, startHelper } from './rpc.mjs';

export const RED = 'nslab-bt-red';
export const ROUTER = 'nslab-bt-router';
export const BLUE = 'nslab-bt-blue';
export const BLUE_ADDR = '10.94.2.2';

const TOPOLOGY = `name: bench-trace
nodes:
  - { name: bt-red, routes: [{ to: default, via: 10.94.1.1 }] }
  - { name: bt-router, forwarding: true }
  - { name: bt-blue, routes: [{ to: default, via: 10.94.2.1 }] }
links:
  - endpoints: [{ node: bt-red, name: eth0, addresses: [10.94.1.2/24] }, { node: bt-router, name: r0, addresses: [10.94.1.1/24] }]
  - endpoints: [{ node: bt-blue, name: eth0, addresses: [10.94.2.2/24] }, { node: bt-router, name: b0, addresses: [10.94.2.1/24] }]
`;

export const inNs = (netns, ...argv) => sh(['ip', 'netns', 'exec', netns, ...argv]);

/** Starts a helper, builds the lab; `close()` destroys it, stops the helper and removes its state. */
export async function openTraceLab(root) {
  const stateDir = mkdtempSync(join(tmpdir(), 'nslab-bench-trace-'));
  const socket = join(stateDir, 'helper.sock');
  const helper = startHelper({ stateDir, socket, cwd: root });
  await helper.ready;
  const rpc = rpcClient(socket);
  await rpc.ready;
  await rpc.call('topology.apply', { yaml: TOPOLOGY });
  await inNs(ROUTER, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'b0', '-m', 'comment', '--comment', 'nslab:bench', '-j', 'MASQUERADE');
  return {
    rpc,
    async close() {
      await rpc.call('topology.destroy', { name: 'bench-trace' }).catch((e) => console.error(`destroy: ${e.message}`));
      await rpc.call('ledger.gc', {}).catch(() => undefined);
      await rpc.close();
      await helper.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
