// The packet walk and conntrack on the real kernel: RED → router (MASQUERADE) → BLUE, driven through a
// real helper over JSON-RPC; the kernel is checked to be as it was afterwards (no nslab_trace table left).
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import type { ConntrackEvent, TraceEvent, TraceWalk } from '../../electron/shared/contract/index.js';
import { useHelper } from '../support/helper.js';
import { BLUE, BLUE_ADDR, MASQUERADE, RED, ROUTER, buildTraceLab, inNs, traceTablesLeft } from '../support/trace-lab.js';

const h = useHelper({ setup: buildTraceLab });

const hooksIn = (walk: TraceWalk, direction: string, netns: string): (string | null)[] =>
  walk.hops.filter((x) => x.direction === direction && x.netns === netns && x.observer).map((x) => x.hook);

const errorOf = async (p: Promise<unknown>): Promise<{ code?: string; field?: string; message: string }> => {
  try {
    await p;
  } catch (err) {
    const e = err as { message: string; data?: { code?: string; field?: string } };
    return { message: e.message, code: e.data?.code, field: e.data?.field };
  }
  throw new Error('expected the call to fail');
};

it('walks a ping RED → router → BLUE through every hook in order, names the MASQUERADE and the de-NAT, resolves every handle', async () => {
  const walk = await h.helper.call<TraceWalk>('trace.run', { from: 'tr-red', to: BLUE_ADDR });
  expect(walk.probe.ok).toBe(true);
  expect(walk.namespaces.sort()).toEqual([BLUE, RED, ROUTER].sort());
  expect(hooksIn(walk, 'request', RED)).toEqual(['output', 'postrouting']);
  expect(hooksIn(walk, 'request', ROUTER)).toEqual(['prerouting', 'forward', 'postrouting']);
  expect(hooksIn(walk, 'request', BLUE)).toEqual(['prerouting', 'input']);
  expect(hooksIn(walk, 'reply', BLUE)).toEqual(['output', 'postrouting']);
  expect(hooksIn(walk, 'reply', ROUTER)).toEqual(['prerouting', 'forward', 'postrouting']);
  expect(hooksIn(walk, 'reply', RED)).toEqual(['prerouting', 'input']);
  // the namespaces in the order the packet crossed them
  const order = (d: string) => [...new Set(walk.hops.filter((x) => x.direction === d).map((x) => x.netns))];
  expect(order('request')).toEqual([RED, ROUTER, BLUE]);
  expect(order('reply')).toEqual([BLUE, ROUTER, RED]);

  const masq = walk.hops.find((x) => x.table === 'nat' && x.chain === 'POSTROUTING')!;
  expect(masq).toMatchObject({ netns: ROUTER, hook: 'postrouting', direction: 'request' });
  expect(masq.rules.map((r) => r.iptables)).toEqual([MASQUERADE]);
  const snat = walk.hops.flatMap((x) => x.nat).find((n) => n.kind === 'snat');
  expect(snat).toMatchObject({ field: 'saddr', from: '10.93.1.2', to: '10.93.2.1', rule: MASQUERADE });
  const denat = walk.hops.filter((x) => x.direction === 'reply').flatMap((x) => x.nat);
  expect(denat).toEqual([{ field: 'daddr', from: '10.93.2.1', to: '10.93.1.2', kind: 'de-nat', rule: MASQUERADE }]);

  const rules = walk.hops.flatMap((x) => x.rules);
  expect(rules.length).toBeGreaterThan(0);
  for (const r of rules) {
    expect(r.handle).not.toBeNull();
    expect(r.nft).not.toMatch(/unknown|removed since/);
  }
  expect(walk.fates.map((f) => `${f.direction}:${f.kind}:${f.netns}`)).toEqual([`request:delivered:${BLUE}`, `reply:delivered:${RED}`]);
  expect(walk.unjoined).toBe(0);

  // streamed as it ran: start, probe, one event per hop, the fates, end
  const events = h.helper.messages.filter((m) => m.method === 'trace.event').map((m) => m.params as TraceEvent).filter((e) => e.trace === walk.trace);
  expect(events[0]!.kind).toBe('start');
  expect(events.filter((e) => e.kind === 'hop')).toHaveLength(walk.hops.length);
  expect(events.at(-1)).toMatchObject({ kind: 'end', hops: walk.hops.length, unjoined: 0 });
  expect(traceTablesLeft()).toEqual([]);
});

it('conntrack shows a TCP connect as NEW then ESTABLISHED, linked to the MASQUERADE rule; lists it with NAT; flushes it', async () => {
  const server = spawn('ip', ['netns', 'exec', BLUE, 'busybox', 'nc', '-l', '-p', '8080'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 300));
    await h.helper.call('ct.watch', { node: 'tr-router' });
    const walk = await h.helper.call<TraceWalk>('trace.run', { from: 'tr-red', to: BLUE_ADDR, proto: 'tcp', dport: 8080 });
    expect(walk.probe).toMatchObject({ ok: true });
    const reply = walk.hops.filter((x) => x.direction === 'reply');
    expect(reply[0]!.packet.tcpFlags).toBe('syn|ack');
    await h.helper.waitFor((m) => m.method === 'ct.event' && (m.params as ConntrackEvent).kind === 'entry' && (m.params as { entry: { state: string } }).entry.state === 'ESTABLISHED', 5000);
    const ours = h.helper.messages
      .filter((m) => m.method === 'ct.event')
      .map((m) => m.params as ConntrackEvent)
      .flatMap((e) => (e.kind === 'entry' && e.entry.original.sport === walk.marker ? [e] : []));
    expect(ours[0]).toMatchObject({ type: 'NEW', netns: ROUTER, entry: { state: 'SYN_SENT', natRule: MASQUERADE } });
    const established = ours.findIndex((e) => e.entry.state === 'ESTABLISHED');
    expect(established).toBeGreaterThan(0);
    expect(ours[established]!.type).toBe('UPDATE');
    expect(new Set(ours.map((e) => e.entry.id)).size).toBe(1);

    const table = await h.helper.call<{ entries: { original: { sport?: number }; nat: unknown[]; natRule: string | null }[] }>('ct.list', { node: 'tr-router' });
    const entry = table.entries.find((e) => e.original.sport === walk.marker)!;
    expect(entry.nat).toEqual([{ kind: 'snat', from: `10.93.1.2:${walk.marker}`, to: `10.93.2.1:${walk.marker}` }]);
    expect(entry.natRule).toBe(MASQUERADE);

    const flushed = await h.helper.call<{ deleted: number }>('ct.flush', { node: 'tr-router', match: { protocol: 'tcp', sport: walk.marker } });
    expect(flushed.deleted).toBe(1);
    const after = await h.helper.call<typeof table>('ct.list', { node: 'tr-router' });
    expect(after.entries.find((e) => e.original.sport === walk.marker)).toBeUndefined();
    expect(await h.helper.call('ct.unwatch', { node: 'tr-router' })).toEqual({ netns: ROUTER, lost: 0 });
  } finally {
    server.kill('SIGKILL');
  }
});

it('a watch answers only once conntrack listens: a datagram sent the moment it answers shows as NEW', async () => {
  // The sender is started (socket open) beforehand, so the datagram leaves within a millisecond of the
  // answer: well inside the time `conntrack -E` takes to start and subscribe.
  for (let round = 0; round < 5; round++) {
    const send = `const s = require('dgram').createSocket('udp4'); process.stdin.once('data', () => s.send('x', 5353, '${BLUE_ADDR}', () => process.exit(0)));`;
    const sender = spawn('ip', ['netns', 'exec', RED, process.execPath, '-e', send], { stdio: ['pipe', 'ignore', 'inherit'] });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const from = h.helper.messages.length;
      await h.helper.call('ct.watch', { node: 'tr-router' });
      sender.stdin!.write('x\n');
      const isOurs = (m: { method?: string; params?: unknown }): boolean => {
        const e = m.params as ConntrackEvent;
        return m.method === 'ct.event' && e.kind === 'entry' && e.type === 'NEW' && e.entry.protocol === 'udp' && e.entry.original.dport === 5353;
      };
      await h.helper.waitFor((m) => h.helper.messages.indexOf(m) >= from && isOurs(m), 5000);
      await h.helper.call('ct.unwatch', { node: 'tr-router' });
    } finally {
      sender.kill('SIGKILL');
    }
    await h.helper.call('ct.flush', { node: 'tr-router', match: { protocol: 'udp', dport: 5353 } });
  }
});

it('shows an ICMP error as RELATED and a crafted SYN+FIN as INVALID', async () => {
  const udp = await h.helper.call<TraceWalk>('trace.run', { from: 'tr-red', to: BLUE_ADDR, proto: 'udp', dport: 5353 });
  const errors = udp.hops.filter((x) => x.direction === 'error');
  expect(errors.length).toBeGreaterThan(0);
  expect(errors.filter((x) => x.ct !== null).every((x) => x.ct === 'related')).toBe(true);
  expect(errors.find((x) => x.netns === ROUTER && x.hook === 'forward')!.ct).toBe('related');
  expect(udp.fates.find((f) => f.direction === 'error')).toMatchObject({ kind: 'delivered', netns: RED });

  // conntrack only runs in a namespace where something asks for it: a rule that drops INVALID packets
  expect(inNs(BLUE, 'iptables', '-A', 'INPUT', '-m', 'conntrack', '--ctstate', 'INVALID', '-m', 'comment', '--comment', 'nslab:trace-test', '-j', 'DROP').status).toBe(0);
  const before = (await h.helper.call<{ stats: { invalid: number } }>('ct.list', { node: 'tr-blue' })).stats.invalid;
  const craft = inNs(RED, 'perl', '-MSocket', '-e', CRAFT_SYN_FIN, BLUE_ADDR, '80');
  expect(craft.status, craft.stderr).toBe(0);
  await new Promise((r) => setTimeout(r, 200));
  const after = (await h.helper.call<{ stats: { invalid: number } }>('ct.list', { node: 'tr-blue' })).stats.invalid;
  expect(after).toBe(before + 1);
  expect(inNs(BLUE, 'iptables-save', '-c').stdout).toMatch(/\[1:40\] -A INPUT -m conntrack --ctstate INVALID/);
});

it('refuses bad traces with a typed error naming the field, and leaves no trace table', async () => {
  expect(await errorOf(h.helper.call('trace.run', { from: 'tr-red', to: '10.250.0.1' }))).toMatchObject({ code: 'not-found', field: 'to' });
  expect(await errorOf(h.helper.call('trace.run', { from: 'tr-red', to: BLUE_ADDR, proto: 'tcp', dport: 70000 }))).toMatchObject({ code: 'invalid-params', field: 'dport' });
  expect(await errorOf(h.helper.call('trace.run', { from: 'tr-red', to: BLUE_ADDR, proto: 'tcp', dport: 0 }))).toMatchObject({ code: 'invalid-params', field: 'dport' });
  expect(await errorOf(h.helper.call('trace.run', { from: 'nobody', to: BLUE_ADDR }))).toMatchObject({ code: 'not-found', field: 'from' });
  expect(await errorOf(h.helper.call('ct.flush', { node: 'tr-red' }))).toMatchObject({ code: 'invalid-params', field: 'match' });
  // two at once in the same namespaces: whichever comes second is busy, the other completes
  const both = await Promise.allSettled([
    h.helper.call<TraceWalk>('trace.run', { from: 'tr-red', to: BLUE_ADDR }),
    h.helper.call<TraceWalk>('trace.run', { from: 'tr-blue', to: '10.93.1.2' }),
  ]);
  const done = both.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const refused = both.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { data?: { code?: string; field?: string } }).data] : []));
  expect(done).toHaveLength(1);
  expect(done[0]!.fates[0]!.kind).toBe('delivered');
  expect(refused).toEqual([{ code: 'busy', field: 'from' }]);
  expect(traceTablesLeft()).toEqual([]);
});

// A TCP header with SYN and FIN both set (an invalid combination conntrack refuses), through a raw socket.
const CRAFT_SYN_FIN = `
my ($dst, $dport) = @ARGV;
socket(my $s, PF_INET, SOCK_RAW, 6) or die "socket: $!";
my $tcp = pack('nnNNCCnnn', 40123, $dport, 1, 0, 5 << 4, 0x03, 1024, 0, 0);
send($s, $tcp, 0, sockaddr_in(0, inet_aton($dst))) or die "send: $!";
`;
