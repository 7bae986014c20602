// Topologies for the diagnoser's injected-fault tests, applied through topology.apply (the ledger owns
// them): a routed line RED → router → BLUE with an OUTSIDE node on a public subnet, and a switch (a bridge
// in its own namespace) joining LEFT and RIGHT. Probes are real: ping, a TCP connect, a UDP exchange.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const LINE = `name: why-line
nodes:
  - { name: wy-red, routes: [{ to: default, via: 10.95.1.1 }] }
  - { name: wy-router, forwarding: true }
  - { name: wy-blue, routes: [{ to: default, via: 10.95.2.1 }] }
  - { name: wy-out }
links:
  - endpoints: [{ node: wy-red, name: eth0, addresses: [10.95.1.2/24] }, { node: wy-router, name: r0, addresses: [10.95.1.1/24] }]
  - endpoints: [{ node: wy-blue, name: eth0, addresses: [10.95.2.2/24] }, { node: wy-router, name: b0, addresses: [10.95.2.1/24] }]
  - endpoints: [{ node: wy-out, name: eth0, addresses: [203.0.113.2/24] }, { node: wy-router, name: o0, addresses: [203.0.113.1/24] }]
`;

export const SWITCH = `name: why-switch
nodes:
  - { name: wy-left }
  - { name: wy-sw, bridges: [{ name: br0 }] }
  - { name: wy-right }
links:
  - endpoints: [{ node: wy-left, name: eth0, addresses: [10.96.0.1/24] }, { node: wy-sw, name: p1, master: br0 }]
  - endpoints: [{ node: wy-right, name: eth0, addresses: [10.96.0.2/24] }, { node: wy-sw, name: p2, master: br0 }]
`;

// red reaches blue through ra, blue answers through rb: an asymmetric path
export const ASYM = `name: why-asym
nodes:
  - { name: wa-red, routes: [{ to: 10.97.2.0/24, via: 10.97.1.1 }, { to: 10.97.4.0/24, via: 10.97.3.1 }] }
  - { name: wa-ra, forwarding: true }
  - { name: wa-rb, forwarding: true, routes: [{ to: 10.97.1.0/24, via: 10.97.3.2 }] }
  - { name: wa-blue, routes: [{ to: 10.97.1.0/24, via: 10.97.4.1 }, { to: 10.97.3.0/24, via: 10.97.4.1 }] }
links:
  - endpoints: [{ node: wa-red, name: eth0, addresses: [10.97.1.2/24] }, { node: wa-ra, name: r0, addresses: [10.97.1.1/24] }]
  - endpoints: [{ node: wa-blue, name: eth0, addresses: [10.97.2.2/24] }, { node: wa-ra, name: b0, addresses: [10.97.2.1/24] }]
  - endpoints: [{ node: wa-red, name: eth1, addresses: [10.97.3.2/24] }, { node: wa-rb, name: r0, addresses: [10.97.3.1/24] }]
  - endpoints: [{ node: wa-blue, name: eth1, addresses: [10.97.4.2/24] }, { node: wa-rb, name: b0, addresses: [10.97.4.1/24] }]
`;

export const ns = (node: string): string => `nslab-${node}`;
export const inNs = (node: string, ...argv: string[]) => spawnSync('ip', ['netns', 'exec', ns(node), ...argv], { encoding: 'utf8' });

export const ping = (from: string, to: string): boolean => inNs(from, 'ping', '-n', '-c', '1', '-W', '1', to).status === 0;
/**
 * A path that must work, given three tries: a freshly built bridge port on a loaded machine can lose the
 * first probe to ARP and link start-up, which is not the fault a test looks for. (Where a test counts the
 * packets a fault dropped, or expects no answer, it uses `ping`: one packet.)
 */
export const pingOk = (from: string, to: string): boolean => ping(from, to) || ping(from, to) || ping(from, to);

const CONNECT = `const [h,p,u]=process.argv.slice(1);
if(u==='udp'){const s=require('dgram').createSocket('udp4');s.on('message',()=>process.exit(0));s.on('error',()=>process.exit(1));s.send('x',Number(p),h);setTimeout(()=>process.exit(2),1500)}
else{const s=require('net').connect(Number(p),h);s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(2),1500)}`;

/** A TCP connect (or a UDP exchange) from a node: true when it got an answer. */
export const connect = (from: string, to: string, port: number, proto: 'tcp' | 'udp' = 'tcp'): boolean => inNs(from, process.execPath, '-e', CONNECT, to, String(port), proto).status === 0;

const SERVE = `const [p,u]=process.argv.slice(1);
if(u==='udp'){const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(m,r.port,r.address));s.bind(Number(p))}
else require('net').createServer((c)=>c.end()).listen(Number(p));`;

/** A server (tcp: accepts and closes; udp: echoes) in a node, until killed. */
export async function serve(node: string, port: number, proto: 'tcp' | 'udp' = 'tcp'): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns(node), process.execPath, '-e', SERVE, String(port), proto], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (new RegExp(`:${port}\\b`).test(inNs(node, 'ss', '-H', proto === 'tcp' ? '-ltn' : '-lun').stdout)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}
