// The diagnoser on the real kernel, one injected fault at a time on RED → router → BLUE (+ OUTSIDE): for
// each, the first failure names the right cause, applying its fix (why.fix) makes a real probe pass, and
// the diagnosis then finds the path clear. Faults are injected through the helper's own methods where it
// has one (and by hand where a person would make the mistake by hand).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { expect, it } from 'vitest';
import type { WhyAnswer } from '../../electron/shared/contract/index.js';
import { nslab } from '../support/cli.js';
import { useHelper } from '../support/helper.js';
import { LINE, connect, inNs, ping, serve } from '../support/why-lab.js';

const servers: ChildProcess[] = [];
const h = useHelper({
  setup: async (stateDir) => {
    const file = join(stateDir, 'why-line.yaml');
    writeFileSync(file, LINE);
    const r = await nslab(stateDir, ['topo', 'apply', file]);
    if (r.code !== 0) throw new Error(`topo apply failed: ${r.stderr}`);
    servers.push(await serve('wy-blue', 8080), await serve('wy-blue', 5353, 'udp'));
  },
  teardown: async () => {
    for (const s of servers) s.kill('SIGKILL');
  },
});

const BLUE = '10.95.2.2';
const explain = (params: Record<string, unknown>) => h.helper.call<WhyAnswer>('why.explain', params);
const call = (method: string, params: Record<string, unknown>) => h.helper.call(method, params);

interface Case {
  fault: string;
  inject(): Promise<unknown> | unknown;
  ask: Record<string, unknown>;
  /** The first failure: check id, message key, node. */
  first: { id: string; key: string; node: string };
  /** A real probe that fails with the fault and passes once fixed. */
  probe(): boolean;
  cleanup?(): Promise<unknown>;
  /** The probe's answer before the fault (false where only the faulty setup makes the path exist at all). */
  before?: boolean;
}

const icmp = { from: 'wy-red', to: BLUE };
const pingBlue = (): boolean => ping('wy-red', BLUE);

const CASES: Case[] = [
  { fault: 'link down (near end)', inject: () => call('net.link.set', { node: 'wy-red', name: 'eth0', up: false }), ask: icmp, first: { id: 'link.up', key: 'link.down', node: 'wy-red' }, probe: pingBlue },
  { fault: 'link down (far end)', inject: () => call('net.link.set', { node: 'wy-router', name: 'r0', up: false }), ask: icmp, first: { id: 'link.up', key: 'link.peer-down', node: 'wy-router' }, probe: pingBlue },
  {
    fault: 'veth peer in the wrong namespace',
    inject: () => {
      const r = inNs('wy-router', 'ip', 'link', 'set', 'b0', 'netns', 'nslab-wy-out');
      if (r.status !== 0) throw new Error(r.stderr);
    },
    ask: icmp,
    first: { id: 'link.netns', key: 'link.wrong-ns', node: 'wy-out' },
    probe: pingBlue,
  },
  { fault: 'missing address (the gateway)', inject: () => call('net.addr.delete', { node: 'wy-router', dev: 'r0', address: '10.95.1.1/24' }), ask: icmp, first: { id: 'addr.present', key: 'addr.missing', node: 'wy-red' }, probe: pingBlue },
  {
    fault: 'wrong subnet mask',
    inject: async () => {
      await call('net.addr.delete', { node: 'wy-red', dev: 'eth0', address: '10.95.1.2/24' });
      await call('net.addr.add', { node: 'wy-red', dev: 'eth0', address: '10.95.1.2/32' });
    },
    ask: icmp,
    first: { id: 'addr.mask', key: 'addr.mask', node: 'wy-red' },
    probe: pingBlue,
  },
  { fault: 'missing default route', inject: () => call('net.route.delete', { node: 'wy-red', to: 'default', via: '10.95.1.1' }), ask: icmp, first: { id: 'route', key: 'route.none', node: 'wy-red' }, probe: pingBlue },
  { fault: 'ip_forward 0 on the router', inject: () => call('net.sysctl.set', { node: 'wy-router', key: 'ip_forward', value: 0 }), ask: icmp, first: { id: 'forwarding', key: 'forwarding.off', node: 'wy-router' }, probe: pingBlue },
  { fault: 'DROP rule in INPUT', inject: () => call('fw.rule.add', { node: 'wy-blue', line: '-A INPUT -p icmp -j DROP' }), ask: icmp, first: { id: 'chain', key: 'chain.drop', node: 'wy-blue' }, probe: pingBlue },
  { fault: 'REJECT rule in FORWARD', inject: () => call('fw.rule.add', { node: 'wy-router', line: `-A FORWARD -d ${BLUE} -j REJECT` }), ask: icmp, first: { id: 'chain', key: 'chain.drop', node: 'wy-router' }, probe: pingBlue },
  { fault: 'DROP rule in OUTPUT', inject: () => call('fw.rule.add', { node: 'wy-red', line: `-A OUTPUT -d ${BLUE} -j DROP` }), ask: icmp, first: { id: 'chain', key: 'chain.drop', node: 'wy-red' }, probe: pingBlue },
  { fault: 'reply route missing', inject: () => call('net.route.delete', { node: 'wy-blue', to: 'default', via: '10.95.2.1' }), ask: icmp, first: { id: 'route', key: 'route.none', node: 'wy-blue' }, probe: pingBlue },
  { fault: 'missing MASQUERADE for the outside', inject: () => undefined, ask: { from: 'wy-red', to: '203.0.113.2' }, first: { id: 'nat.masquerade', key: 'nat.masquerade-missing', node: 'wy-router' }, before: false, probe: () => ping('wy-red', '203.0.113.2'), cleanup: () => call('fw.rule.delete', { node: 'wy-router', owner: 'why' }) },
  {
    fault: 'DNAT to the wrong port',
    inject: () => call('fw.rule.add', { node: 'wy-router', line: `-t nat -A PREROUTING -d 10.95.1.1 -p tcp --dport 8080 -j DNAT --to-destination ${BLUE}:9999` }),
    ask: { from: 'wy-red', to: '10.95.1.1', port: 8080 },
    first: { id: 'nat.dnat', key: 'nat.dnat-wrong', node: 'wy-router' },
    before: false,
    probe: () => connect('wy-red', '10.95.1.1', 8080),
    cleanup: () => call('fw.rule.delete', { node: 'wy-router', owner: 'why' }),
  },
  {
    fault: 'DNAT to the wrong address',
    inject: () => call('fw.rule.add', { node: 'wy-router', line: '-t nat -A PREROUTING -d 10.95.1.1 -p tcp --dport 8080 -j DNAT --to-destination 10.95.2.9:8080' }),
    ask: { from: 'wy-red', to: '10.95.1.1', port: 8080 },
    first: { id: 'nat.dnat', key: 'nat.dnat-wrong', node: 'wy-router' },
    before: false,
    probe: () => connect('wy-red', '10.95.1.1', 8080),
    cleanup: () => call('fw.rule.delete', { node: 'wy-router', owner: 'why' }),
  },
];

for (const c of CASES) {
  it(`diagnoses ${c.fault}, and its fix makes the probe pass`, async () => {
    expect(c.probe()).toBe(c.before ?? true);
    await c.inject();
    expect(c.probe()).toBe(false);
    const a = await explain(c.ask);
    expect(a.reachable).toBe(false);
    const first = a.checks[a.first!]!;
    expect({ id: first.id, key: first.key, node: first.node }, JSON.stringify(first, null, 1)).toEqual(c.first);
    expect(first.title.ko).not.toBe(first.title.en);
    expect(first.evidence.length).toBeGreaterThan(0);
    expect(a.fix?.actions.length, JSON.stringify(a.checks.map((x) => [x.id, x.status, x.node, x.title.en]))).toBeGreaterThan(0);
    expect(a.fix!.commands.length).toBeGreaterThanOrEqual(a.fix!.actions.length);
    await call('why.fix', { actions: a.fix!.actions });
    expect(c.probe()).toBe(true);
    const after = await explain(c.ask);
    expect(after.reachable, JSON.stringify(after.checks.filter((x) => x.status === 'fail'))).toBe(true);
    await c.cleanup?.();
  });
}

it('names an explicit DROP with its handle and line, and its counter', async () => {
  await call('fw.rule.add', { node: 'wy-router', line: '-A FORWARD -p tcp --dport 22 -j ACCEPT' });
  await call('fw.rule.add', { node: 'wy-router', line: `-A FORWARD -s 10.95.1.0/24 -d ${BLUE} -j DROP` });
  ping('wy-red', BLUE);
  const a = await explain(icmp);
  const first = a.checks[a.first!]!;
  expect(first.params.how).toMatch(/^rule 2 of FORWARD `iptables -A FORWARD -s 10\.95\.1\.0\/24 -d 10\.95\.2\.2\/32 -m comment --comment nslab:manual -j DROP` \[handle \d+\] \(1 packets so far\)$/);
  expect(a.fix!.commands[0]).toMatch(/^ip netns exec nslab-wy-router iptables -D FORWARD /);
  await call('fw.rule.delete', { node: 'wy-router', owner: 'manual' });
});

it('diagnoses nothing listening on a TCP and a UDP port; a server makes the probe pass', async () => {
  for (const [proto, port] of [['tcp', 8081], ['udp', 5354]] as const) {
    expect(connect('wy-red', BLUE, port, proto)).toBe(false);
    const a = await explain({ from: 'wy-red', to: BLUE, port, proto });
    const first = a.checks[a.first!]!;
    expect([first.id, first.key, first.node]).toEqual(['socket', 'socket.none', 'wy-blue']);
    expect(a.fix!.commands[0]).toContain(`-p ${port}`);
    const server = await serve('wy-blue', port, proto);
    try {
      expect(connect('wy-red', BLUE, port, proto)).toBe(true);
      expect((await explain({ from: 'wy-red', to: BLUE, port, proto })).reachable).toBe(true);
    } finally {
      server.kill('SIGKILL');
    }
  }
});

it('refuses bad questions with a typed error naming the field, and fixes outside nslab namespaces', async () => {
  const err = async (p: Promise<unknown>) => p.then(() => null, (e: { data?: { code?: string; field?: string } }) => e.data);
  expect(await err(explain({ from: 'nobody', to: BLUE }))).toMatchObject({ code: 'not-found', field: 'from' });
  expect(await err(explain({ from: 'wy-red', to: 'blue' }))).toMatchObject({ code: 'invalid-params', field: 'to' });
  expect(await err(explain({ from: 'wy-red', to: BLUE, proto: 'icmp', port: 80 }))).toMatchObject({ code: 'invalid-params', field: 'port' });
  expect(await err(explain({ from: 'wy-red', to: '10.95.1.2' }))).toMatchObject({ code: 'invalid-params', field: 'to' });
  expect(await err(call('why.fix', { actions: [{ op: 'sysctl', node: 'not-ours', key: 'ip_forward', value: 1 }] }))).toMatchObject({ code: 'not-found', field: 'actions.0.node' });
  expect(await err(call('why.fix', { actions: [] }))).toMatchObject({ code: 'invalid-params', field: 'actions' });
});
