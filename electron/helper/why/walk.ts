// The simulated path: hop by hop from the source namespace to the one holding the address and back, each
// step checked against the kernel's state (routes via `ip route get`, forwarding, rp_filter, links and
// bridges, every base chain met, NAT, the listening socket). Reads only; produces the ordered checks.
import type { FwChain, FwRule, FwTable, WhyAction, WhyCheck, WhyEvidence, WhyFix, WhyStatus } from '../../shared/contract/index.js';
import { netnsOf, nodeOf } from '../../shared/names.js';
import { renderWhy, type WhyMessageKey, type WhyParams } from '../../shared/why/messages.js';
import type { Expectations } from './expect.js';
import { makeFix, manualFix } from './fixes.js';
import { inSubnet, isPrivate, networkOf, splitCidr } from './ipv4.js';
import { crossings, l2Domain, peerOf, type Block } from './l2.js';
import { evalHook, type HookStep, type NfHook, type Packet } from './match.js';
import type { World } from './state.js';

export type Direction = 'request' | 'reply';

export interface NatRecord {
  netns: string;
  kind: 'dnat' | 'snat';
  fromAddr: string;
  toAddr: string;
  fromPort?: number;
  toPort?: number;
  rule: FwRule | null;
  line: string;
  /** Index of the check that reported it. */
  check: number;
}

export class Diagnosis {
  checks: WhyCheck[] = [];
  nat: NatRecord[] = [];
  /** Namespaces the request crossed (their conntrack saw it), in order. */
  requestPath: string[] = [];
  /** Routers the request was forwarded by, with the interface it left on. */
  forwarders: { netns: string; oif: string }[] = [];

  constructor(
    readonly world: World,
    readonly expect: Expectations,
  ) {}

  add(dir: Direction, netns: string | null, id: string, status: WhyStatus, key: WhyMessageKey, params: WhyParams, evidence: WhyEvidence[] = [], fix: WhyFix | null = null): number {
    const text = renderWhy(key, params);
    this.checks.push({ id, status, direction: dir, node: netns ? nodeOf(netns) : null, netns, key, params, ...text, evidence, fix });
    return this.checks.length - 1;
  }

  get failed(): boolean {
    return this.checks.some((c) => c.status === 'fail');
  }
}

const MAX_HOPS = 16;
const en = (en: string, ko: string) => ({ en, ko });

const isLocal = (d: Diagnosis, netns: string, ip: string): boolean =>
  ip.startsWith('127.') || (d.world.node(netns)?.links ?? []).some((l) => l.addresses.some((a) => a.split('/')[0] === ip));

const packetText = (p: Packet): string =>
  `${p.proto} ${p.saddr}${p.sport ? `:${p.sport}` : ''} → ${p.daddr}${p.dport ? `:${p.dport}` : ''}${p.iif ? ` in ${p.iif}` : ''}${p.oif ? ` out ${p.oif}` : ''}, ct ${p.ct}`;

export function ruleLine(t: FwTable, c: FwChain, r: FwRule): string {
  return r.iptables ?? `nft add rule ${t.family} ${t.name} ${c.name} ${r.nft ?? '?'}`;
}

function ruleHow(t: FwTable, chainName: string, r: FwRule): string {
  const chain = t.chains.find((c) => c.rules.some((x) => x.id === r.id)) ?? t.chains.find((c) => c.name === chainName)!;
  chainName = chain.name;
  return `rule ${r.index + 1} of ${chainName} \`${ruleLine(t, chain, r)}\`${r.handle !== null ? ` [handle ${r.handle}]` : ''} (${r.packets ?? 0} packets so far)`;
}

function listCommand(netns: string, t: FwTable, chain: string): string {
  return t.source === 'nft' ? `ip netns exec ${netns} nft -a list chain ${t.family} ${t.name} ${chain}` : `ip netns exec ${netns} ${t.source === 'iptables-legacy' ? 'iptables-legacy' : 'iptables'}${t.name === 'filter' ? '' : ` -t ${t.name}`} -L ${chain} -v -n --line-numbers`;
}

/** Words of an iptables rule line without nslab's comment, as `fw.rule.add` takes them. */
function lineWithoutComment(line: string): string {
  return line.replace(/^iptables(-legacy|-nft)?\s+/, '').replace(/\s-m comment --comment \S+/, '');
}

/** Runs one hook's chains, adding their checks; answers whether the packet survives and the NAT it got. */
function runHook(d: Diagnosis, dir: Direction, netns: string, hook: NfHook, p: Packet, steps: HookStep[]): boolean {
  const node = nodeOf(netns);
  let alive = true;
  for (const s of steps) {
    const { table: t, chain: c, outcome: o } = s;
    const how = o.rule ? ruleHow(t, o.chain, o.rule) : `policy ${c.policy ?? 'accept'} of ${c.name} (${c.packets ?? 0} packets so far)`;
    const evidence: WhyEvidence[] = [{ kind: o.rule ? 'rule' : 'policy', text: how, command: listCommand(netns, t, c.name) }];
    const params = { node, hook, chain: `${t.source === 'nft' ? `${t.family} ${t.name}` : t.name} ${c.name}`, how, packet: packetText(p), verdict: s.verdict.toUpperCase() };
    for (const u of o.unknown) d.add(dir, netns, 'chain', 'warn', 'chain.unknown', { ...params, how: ruleHow(t, c.name, u) });
    if (s.verdict === 'accept') {
      d.add(dir, netns, 'chain', 'pass', 'chain.accept', params, evidence);
      continue;
    }
    alive = false;
    const action: WhyAction | null = o.rule
      ? { op: 'fw.delete', node, id: o.rule.id }
      : (['filter', 'nat', 'mangle', 'raw'] as const).includes(t.name as 'filter') && t.source !== 'nft' && ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].includes(c.name)
        ? { op: 'fw.policy', node, table: t.name as 'filter', chain: c.name as 'FORWARD', policy: 'ACCEPT' }
        : null;
    const line = o.rule ? ruleLine(t, t.chains.find((x) => x.name === o.chain) ?? c, o.rule) : undefined;
    const fix = action
      ? makeFix(
          o.rule
            ? en(`delete the rule that ${s.verdict === 'reject' ? 'rejects' : 'drops'} it in ${node}`, `${node}에서 이 패킷을 버리는 규칙을 지웁니다`)
            : en(`set the ${c.name} policy of ${node} to ACCEPT (or add an ACCEPT rule for this traffic)`, `${node}의 ${c.name} 정책을 ACCEPT로 바꿉니다(또는 이 트래픽을 허용하는 규칙을 추가합니다)`),
          [action],
          [],
          line,
        )
      : null;
    if (dir === 'reply' && p.ct === 'invalid' && o.usesCt && o.rule) {
      d.add(dir, netns, 'ct.invalid', 'fail', 'ct.invalid', { node, how, requestPath: d.requestPath.map(nodeOf).join(' → ') }, evidence, fix);
    } else {
      d.add(dir, netns, 'chain', 'fail', 'chain.drop', params, evidence, fix);
    }
    break;
  }
  return alive;
}

/** Applies the NAT a hook's nat chain decided (request only), reporting it. */
function applyNat(d: Diagnosis, netns: string, steps: HookStep[], p: Packet): void {
  for (const s of steps) {
    const tgt = s.outcome.target;
    if (!tgt || !s.outcome.rule || (tgt.kind !== 'dnat' && tgt.kind !== 'snat' && tgt.kind !== 'masquerade')) continue;
    const how = ruleHow(s.table, s.outcome.chain, s.outcome.rule);
    const line = ruleLine(s.table, s.table.chains.find((c) => c.name === s.outcome.chain) ?? s.chain, s.outcome.rule);
    if (tgt.kind === 'dnat' && tgt.to) {
      const [addr, port] = tgt.to.split(':');
      const rec: NatRecord = { netns, kind: 'dnat', fromAddr: p.daddr, toAddr: addr!, ...(p.dport ? { fromPort: p.dport } : {}), ...(port ? { toPort: Number(port.split('-')[0]) } : {}), rule: s.outcome.rule, line, check: -1 };
      p.daddr = addr!;
      if (port) p.dport = Number(port.split('-')[0]);
      rec.check = d.add('request', netns, 'nat.dnat', 'pass', 'nat.dnat', { node: nodeOf(netns), target: `${p.daddr}${p.dport ? `:${p.dport}` : ''}`, how }, [{ kind: 'nat', text: how }]);
      d.nat.push(rec);
    } else if (tgt.kind === 'snat' || tgt.kind === 'masquerade') {
      const addr = tgt.kind === 'snat' && tgt.to ? tgt.to.split(':')[0]! : (d.world.v4(netns, p.oif ?? '')[0]?.split('/')[0] ?? p.saddr);
      const rec: NatRecord = { netns, kind: 'snat', fromAddr: p.saddr, toAddr: addr, rule: s.outcome.rule, line, check: -1 };
      rec.check = d.add('request', netns, 'nat.snat', 'pass', 'nat.snat', { node: nodeOf(netns), addr, orig: p.saddr, how }, [{ kind: 'nat', text: how }]);
      p.saddr = addr;
      d.nat.push(rec);
    }
  }
}

/** Routes of the topology for this node that the kernel no longer has (a link going down flushes them). */
function lostRoutes(d: Diagnosis, netns: string): WhyAction[] {
  const node = nodeOf(netns);
  const have = d.world.node(netns)?.routes ?? [];
  return d.expect
    .routesOf(node)
    .filter((r) => !have.some((h) => h.to === r.to && (r.via === undefined || h.via === r.via)))
    .map((r) => ({ op: 'route.add', node, to: r.to, ...(r.via ? { via: r.via } : {}), ...(r.dev ? { dev: r.dev } : {}) }) as WhyAction);
}

/** The interface of `netns` that leads (over veth pairs and bridges, whatever their state) towards `target`. */
function egressTowards(d: Diagnosis, netns: string, target: string | null): string | null {
  const links = (d.world.node(netns)?.links ?? []).filter((l) => l.kind === 'veth' || l.kind === 'bridge');
  if (!target) {
    const routers = links.filter((l) => {
      const p = peerOf(d.world, netns, l);
      return p && d.world.node(p.netns)?.forwarding;
    });
    return routers.length === 1 ? routers[0]!.name : links.length === 1 ? links[0]!.name : null;
  }
  // BFS over namespaces; a namespace's veth ends all meet through its bridges
  const first = new Map<string, string>([[netns, '']]);
  const queue = [netns];
  while (queue.length) {
    const ns = queue.shift()!;
    for (const l of d.world.node(ns)?.links ?? []) {
      const p = peerOf(d.world, ns, l);
      if (!p || first.has(p.netns)) continue;
      let out = first.get(ns) || l.name;
      if (ns === netns && l.master) out = l.master;
      first.set(p.netns, out);
      if (p.netns === target) return out;
      queue.push(p.netns);
    }
  }
  return null;
}

/** The address on the other side of `dev` (a router's, or the target's), if any. */
async function neighbourAddress(d: Diagnosis, netns: string, dev: string, target: string | null): Promise<{ netns: string; dev: string; cidr: string } | null> {
  const dom = await l2Domain(d.world, d.expect, netns, dev);
  const cands = dom.endpoints.filter((e) => e.netns !== netns).flatMap((e) => d.world.v4(e.netns, e.link.name).map((cidr) => ({ netns: e.netns, dev: e.link.name, cidr })));
  return cands.find((c) => c.netns === target) ?? cands.find((c) => d.world.node(c.netns)?.forwarding) ?? cands[0] ?? null;
}

function blockCheck(d: Diagnosis, dir: Direction, b: Block): void {
  switch (b.kind) {
    case 'peer-down': {
      const node = nodeOf(b.peerNetns);
      d.add(dir, b.peerNetns, 'link.up', 'fail', 'link.peer-down', { dev: b.dev, node: nodeOf(b.netns), peer: b.peer, peerNode: node, state: b.state },
        [{ kind: 'link', text: `${b.peer} in ${node}: down; ${b.dev} in ${nodeOf(b.netns)}: ${b.state}`, command: `ip -n ${b.peerNetns} link show ${b.peer}` }],
        makeFix(en(`bring ${b.peer} up in ${node}`, `${node}의 ${b.peer}를 올립니다`), [{ op: 'link.set', node, name: b.peer, up: true }, ...lostRoutes(d, b.peerNetns)]));
      return;
    }
    case 'wrong-ns': {
      const actual = b.peerNetns ? nodeOf(b.peerNetns) : 'the root namespace';
      const exp = d.expect.end(b.expected, b.peer);
      const actions: WhyAction[] = b.peerNetns
        ? [
            { op: 'link.move', node: nodeOf(b.peerNetns), name: b.peer, to: b.expected },
            ...(exp?.addresses ?? []).map((address) => ({ op: 'addr.add', node: b.expected, dev: b.peer, address }) as WhyAction),
            { op: 'link.set', node: b.expected, name: b.peer, ...(exp?.master ? { master: exp.master } : {}), up: true },
            ...lostRoutes(d, netnsOf(b.expected)),
          ]
        : [];
      d.add(dir, b.peerNetns, 'link.netns', 'fail', 'link.wrong-ns', { dev: b.dev, node: nodeOf(b.netns), peer: b.peer, actual, expected: b.expected },
        [{ kind: 'topology', text: `the topology puts ${b.peer} in ${b.expected}; the kernel has it in ${actual}`, command: `ip -n ${b.netns} -d link show ${b.dev}` }],
        actions.length ? makeFix(en(`move ${b.peer} back into ${b.expected} and configure it`, `${b.peer}를 ${b.expected}로 되돌리고 설정합니다`), actions) : null);
      return;
    }
    case 'port-down': {
      const node = nodeOf(b.netns);
      d.add(dir, b.netns, 'bridge.port', 'fail', 'bridge.port-down', { port: b.port, node, bridge: b.bridge, state: b.state },
        [{ kind: 'bridge', text: `${b.port} master ${b.bridge} state ${b.state}`, command: `ip netns exec ${b.netns} bridge link show` }],
        makeFix(en(`bring ${b.port} up in ${node}`, `${node}의 ${b.port}를 올립니다`), [{ op: 'link.set', node, name: b.port, up: true }]));
      return;
    }
    case 'port-missing': {
      const node = nodeOf(b.netns);
      d.add(dir, b.netns, 'bridge.port', 'fail', 'bridge.port-missing', { port: b.port, node, bridge: b.bridge, owner: `${node} ${b.port}` },
        [{ kind: 'bridge', text: `${b.port} has no master; ${b.bridge} is in ${node}`, command: `ip netns exec ${b.netns} bridge link show` }],
        makeFix(en(`add ${b.port} to ${b.bridge} in ${node}`, `${node}에서 ${b.port}를 ${b.bridge}에 추가합니다`), [{ op: 'link.set', node, name: b.port, master: b.bridge, up: true }]));
      return;
    }
    case 'bridge-down': {
      const node = nodeOf(b.netns);
      d.add(dir, b.netns, 'link.up', 'fail', 'link.down', { dev: b.bridge, node },
        [{ kind: 'link', text: `${b.bridge}: down`, command: `ip -n ${b.netns} link show ${b.bridge}` }],
        makeFix(en(`bring ${b.bridge} up in ${node}`, `${node}의 ${b.bridge}를 올립니다`), [{ op: 'link.set', node, name: b.bridge, up: true }]));
    }
  }
}

/** Why `netns` has no route to `dst`: a link down, a missing address, a wrong mask, or just no route. */
async function explainNoRoute(d: Diagnosis, dir: Direction, netns: string, dst: string, error: string, command: string): Promise<void> {
  const node = nodeOf(netns);
  const target = d.world.owner(dst)?.netns ?? null;
  const dev = egressTowards(d, netns, target);
  const routeEvidence: WhyEvidence = { kind: 'route', text: `ip route get ${dst}: ${error}`, command };
  // an end the topology gives this node, now in another namespace
  for (const e of d.expect.endsOf(node)) {
    if (d.world.link(netns, e.name)) continue;
    const peerNs = netnsOf(e.peer.node);
    const away = d.world.nodes.find((n) => n.netns !== netns && n.links.some((l) => l.name === e.name && l.kind === 'veth' && l.peer === e.peer.name && (l.peerNetns === undefined ? n.netns : l.peerNetns) === peerNs));
    if (!away) continue;
    blockCheck(d, dir, { kind: 'wrong-ns', netns: peerNs, dev: e.peer.name, peer: e.name, peerNetns: away.netns, expected: node });
    return;
  }
  if (dev) {
    const link = d.world.link(netns, dev)!;
    if (!link.up) {
      d.add(dir, netns, 'link.up', 'fail', 'link.down', { dev, node }, [{ kind: 'link', text: `${dev}: state ${link.state}, not UP`, command: `ip -n ${netns} link show ${dev}` }, routeEvidence],
        makeFix(en(`bring ${dev} up in ${node} (and put back the routes it took with it)`, `${node}의 ${dev}를 올리고 함께 사라진 라우트를 되돌립니다`), [{ op: 'link.set', node, name: dev, up: true }, ...lostRoutes(d, netns)]));
      return;
    }
    const ours = d.world.v4(netns, dev);
    const nb = await neighbourAddress(d, netns, dev, target);
    if (ours.length === 0) {
      const exp = d.expect.end(node, dev)?.addresses.find((a) => !a.includes(':'));
      const guess = exp ?? (nb ? `${nb.cidr.split('/')[0]!.replace(/\.\d+$/, '.')}${nb.cidr.split('/')[0]!.endsWith('.2') ? 3 : 2}/${splitCidr(nb.cidr).prefix}` : null);
      d.add(dir, netns, 'addr.present', 'fail', 'addr.missing', { node, dev, addr: guess ?? 'an address', owner: `${node} ${dev}`, expected: guess ?? '?' },
        [{ kind: 'address', text: `${dev} in ${node} has no IPv4 address`, command: `ip -n ${netns} addr show ${dev}` }, routeEvidence],
        guess ? makeFix(en(`give ${dev} in ${node} the address ${guess}`, `${node}의 ${dev}에 ${guess}를 줍니다`), [{ op: 'addr.add', node, dev, address: guess }, ...lostRoutes(d, netns)]) : null);
      return;
    }
    if (nb) {
      const nbIp = splitCidr(nb.cidr).ip;
      const mine = ours.find((a) => inSubnet(nbIp, a));
      const theirs = ours.find((a) => inSubnet(splitCidr(a).ip, nb.cidr));
      if (!mine || !theirs) {
        const bad = ours[0]!;
        const exp = d.expect.end(node, dev)?.addresses.find((a) => a.split('/')[0] === splitCidr(bad).ip);
        const fixed = exp ?? `${splitCidr(bad).ip}/${splitCidr(nb.cidr).prefix}`;
        d.add(dir, netns, 'addr.mask', 'fail', 'addr.mask', { node, dev, addr: bad, peerAddr: nb.cidr, peerNode: nodeOf(nb.netns), peerIp: nbIp, prefix: splitCidr(fixed).prefix },
          [{ kind: 'address', text: `${node} ${dev}: ${bad}; ${nodeOf(nb.netns)} ${nb.dev}: ${nb.cidr}`, command: `ip -n ${netns} addr show ${dev}` }, routeEvidence],
          makeFix(en(`change ${bad} on ${dev} in ${node} to ${fixed}`, `${node} ${dev}의 ${bad}를 ${fixed}로 바꿉니다`), [
            { op: 'addr.del', node, dev, address: bad },
            { op: 'addr.add', node, dev, address: fixed },
            ...(lostRoutes(d, netns).length ? lostRoutes(d, netns) : [{ op: 'route.add', node, to: 'default', via: nbIp } as WhyAction]),
          ]));
        return;
      }
      const lost = lostRoutes(d, netns);
      const hasDefault = (d.world.node(netns)?.routes ?? []).some((r) => r.to === 'default');
      const actions: WhyAction[] = lost.length ? lost : [{ op: 'route.add', node, to: hasDefault || target === null ? networkOf(`${dst}/24`) : 'default', via: nbIp }];
      if (!lost.length && target) {
        const tc = d.world.owner(dst)!.cidr;
        if (hasDefault) actions[0] = { op: 'route.add', node, to: networkOf(tc), via: nbIp };
      }
      d.add(dir, netns, 'route', 'fail', 'route.none', { node, dst, error, via: nbIp }, [routeEvidence, { kind: 'route', text: `routes of ${node}: ${(d.world.node(netns)?.routes ?? []).filter((r) => r.family === 'inet').map((r) => `${r.to}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`).join('; ') || 'none'}`, command: `ip -n ${netns} route` }],
        makeFix(en(`add the missing route in ${node}`, `${node}에 빠진 라우트를 추가합니다`), actions));
      return;
    }
  }
  d.add(dir, netns, 'route', 'fail', 'route.none', { node, dst, error, via: '?' }, [routeEvidence], null);
}

/** Frames from `netns` out of `dev` to `nexthop`: who has it, and what is in the way. Null when it got nowhere. */
async function deliver(d: Diagnosis, dir: Direction, netns: string, dev: string, nexthop: string, p: Packet): Promise<{ netns: string; iif: string } | null> {
  const dom = await l2Domain(d.world, d.expect, netns, dev);
  const owner = dom.endpoints.find((e) => e.netns !== netns && d.world.v4(e.netns, e.link.name).some((a) => a.split('/')[0] === nexthop));
  if (!owner) {
    if (dom.blocks.length) {
      blockCheck(d, dir, dom.blocks[0]!);
      return null;
    }
    const node = nodeOf(netns);
    const neigh = (await d.world.detail(netns)).neigh.find((n) => n.dst === nexthop);
    const exp = d.expect.holderOf(nexthop);
    const bare = dom.endpoints.find((e) => e.netns !== netns && e.link.kind !== 'bridge' && !e.link.master && d.world.v4(e.netns, e.link.name).length === 0);
    const ourPrefix = d.world.v4(netns, dev).find((a) => inSubnet(nexthop, a));
    const holder = exp && d.world.link(netnsOf(exp.node), exp.name) ? { node: exp.node, dev: exp.name, cidr: exp.cidr } : bare && ourPrefix ? { node: nodeOf(bare.netns), dev: bare.link.name, cidr: `${nexthop}/${splitCidr(ourPrefix).prefix}` } : null;
    d.add(dir, netns, 'addr.present', 'fail', 'addr.missing', { node, dev, addr: nexthop, owner: holder ? `${holder.node} ${holder.dev}` : 'some interface on that link', expected: holder?.cidr ?? nexthop },
      [
        { kind: 'address', text: `on the link from ${node} ${dev}: ${dom.endpoints.filter((e) => e.netns !== netns).map((e) => `${nodeOf(e.netns)} ${e.link.name} ${d.world.v4(e.netns, e.link.name).join(',') || '(no address)'}`).join('; ') || 'nothing'}`, command: `ip -n ${netns} neigh show ${nexthop}` },
        ...(neigh ? [{ kind: 'neigh' as const, text: `${nexthop} dev ${neigh.dev} ${neigh.state}` }] : []),
      ],
      holder ? makeFix(en(`give ${holder.dev} in ${holder.node} the address ${holder.cidr}`, `${holder.node}의 ${holder.dev}에 ${holder.cidr}를 줍니다`), [{ op: 'addr.add', node: holder.node, dev: holder.dev, address: holder.cidr }, ...lostRoutes(d, netnsOf(holder.node))]) : null);
    return null;
  }
  // masks: the receiver must see the sender as on-link too, or it cannot answer
  const ownerCidr = d.world.v4(owner.netns, owner.link.name).find((a) => a.split('/')[0] === nexthop)!;
  const senderIp = (d.world.v4(netns, dev).find((a) => inSubnet(nexthop, a)) ?? d.world.v4(netns, dev)[0])?.split('/')[0];
  if (senderIp && !inSubnet(senderIp, ownerCidr)) {
    const on = nodeOf(owner.netns);
    const senderCidr = d.world.v4(netns, dev).find((a) => a.startsWith(`${senderIp}/`))!;
    const fixed = d.expect.end(on, owner.link.name)?.addresses.find((a) => a.split('/')[0] === nexthop) ?? `${nexthop}/${splitCidr(senderCidr).prefix}`;
    d.add(dir, owner.netns, 'addr.mask', 'fail', 'addr.mask', { node: on, dev: owner.link.name, addr: ownerCidr, peerAddr: senderCidr, peerNode: nodeOf(netns), peerIp: senderIp, prefix: splitCidr(fixed).prefix },
      [{ kind: 'address', text: `${on} ${owner.link.name}: ${ownerCidr}; ${nodeOf(netns)} ${dev}: ${senderCidr}`, command: `ip -n ${owner.netns} addr show ${owner.link.name}` }],
      makeFix(en(`change ${ownerCidr} in ${on} to ${fixed}`, `${on}의 ${ownerCidr}를 ${fixed}로 바꿉니다`), [{ op: 'addr.del', node: on, dev: owner.link.name, address: ownerCidr }, { op: 'addr.add', node: on, dev: owner.link.name, address: fixed }, ...lostRoutes(d, owner.netns)]));
    return null;
  }
  for (const x of crossings(owner)) {
    const node = nodeOf(x.netns);
    d.add(dir, x.netns, 'bridge.port', 'pass', 'bridge.ok', { bridge: x.bridge, node, in: x.in ?? x.bridge, out: x.out }, [{ kind: 'bridge', text: `${x.in ?? x.bridge} → ${x.out} via ${x.bridge}`, command: `ip netns exec ${x.netns} bridge link show` }]);
    const det = await d.world.detail(x.netns);
    if (det.brnf === 1 && x.in !== null && x.out !== x.bridge) {
      d.add(dir, x.netns, 'bridge.nf', 'pass', 'bridge.nf', { node, bridge: x.bridge }, [{ kind: 'sysctl', text: 'net.bridge.bridge-nf-call-iptables = 1', command: `ip netns exec ${x.netns} sysctl net.bridge.bridge-nf-call-iptables` }]);
      const bp: Packet = { ...p, iif: x.bridge, oif: x.bridge };
      for (const hook of ['prerouting', 'forward', 'postrouting'] as const) {
        const steps = evalHook(det.rules, hook, bp).filter((s) => s.chain.type !== 'nat');
        if (!runHook(d, dir, x.netns, hook, bp, steps)) return null;
      }
    }
  }
  return { netns: owner.netns, iif: owner.link.name };
}

export interface Arrival {
  netns: string;
  iif: string | null;
  packet: Packet;
}

/** One direction, from a namespace that sends `p` to wherever the routes take it. */
export async function walkOneWay(d: Diagnosis, dir: Direction, start: string, p: Packet, seen?: ReadonlySet<string>): Promise<Arrival | null> {
  let netns = start;
  let iif: string | null = null;
  const path: string[] = [];
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    path.push(netns);
    if (dir === 'request') d.requestPath.push(netns);
    const node = nodeOf(netns);
    const det = await d.world.detail(netns);
    if (iif !== null) {
      p.iif = iif;
      delete p.oif;
      if (dir === 'reply') {
        p.ct = seen?.has(netns) ? 'established' : 'invalid';
        // conntrack turns a NAT-ed reply back (the source NAT in prerouting)
        for (const n of d.nat) if (n.netns === netns && n.kind === 'snat' && p.daddr === n.toAddr) p.daddr = n.fromAddr;
      }
      const pre = evalHook(det.rules, 'prerouting', p);
      if (!runHook(d, dir, netns, 'prerouting', p, pre)) return null;
      if (dir === 'request') applyNat(d, netns, pre, p);
      if (isLocal(d, netns, p.daddr)) {
        const rg = await d.world.routeGet(netns, p.daddr, p.saddr, iif);
        if (!rg.ok && /Invalid argument|cross-device/i.test(rg.error ?? '')) {
          await rpFail(d, dir, netns, iif, p, rg.command);
        }
        const input = evalHook(det.rules, 'input', p);
        if (!runHook(d, dir, netns, 'input', p, input)) return null;
        d.add(dir, netns, 'arrive', 'pass', 'arrive.ok', { node, iif, addr: p.daddr });
        return { netns, iif, packet: p };
      }
      // forwarded
      const n = d.world.node(netns)!;
      let rg = await d.world.routeGet(netns, p.daddr, p.saddr, iif);
      if (!n.forwarding) {
        d.add(dir, netns, 'forwarding', 'fail', 'forwarding.off', { node, iif, dst: p.daddr },
          [{ kind: 'sysctl', text: 'net.ipv4.ip_forward = 0', command: `ip netns exec ${netns} sysctl net.ipv4.ip_forward` }, { kind: 'route', text: `${rg.command}: ${rg.error ?? 'ok'}`, command: rg.command }],
          makeFix(en(`turn on forwarding in ${node}`, `${node}에서 포워딩을 켭니다`), [{ op: 'sysctl', node, key: 'ip_forward', value: 1 }]));
        rg = await d.world.routeGet(netns, p.daddr);
      } else if (!rg.ok && /Invalid argument|cross-device/i.test(rg.error ?? '')) {
        await rpFail(d, dir, netns, iif, p, rg.command);
        rg = await d.world.routeGet(netns, p.daddr);
      } else if (rg.ok) {
        d.add(dir, netns, 'forwarding', 'pass', 'forwarding.ok', { node }, [{ kind: 'sysctl', text: 'net.ipv4.ip_forward = 1' }]);
      }
      if (!rg.ok) {
        await noRoute(d, dir, netns, p, rg.error ?? '', rg.command);
        return null;
      }
      p.oif = rg.dev!;
      d.add(dir, netns, 'route', 'pass', 'route.ok', { node, dst: p.daddr, route: `${rg.gateway ? `via ${rg.gateway} ` : ''}dev ${rg.dev}` }, [{ kind: 'route', text: `${rg.gateway ? `via ${rg.gateway} ` : ''}dev ${rg.dev}`, command: rg.command }]);
      const fwd = evalHook(det.rules, 'forward', p);
      if (!runHook(d, dir, netns, 'forward', p, fwd)) return null;
      const post = evalHook(det.rules, 'postrouting', p);
      if (!runHook(d, dir, netns, 'postrouting', p, post)) return null;
      if (dir === 'request') {
        d.forwarders.push({ netns, oif: rg.dev! });
        applyNat(d, netns, post, p);
      } else {
        for (const x of d.nat) {
          if (x.netns !== netns || x.kind !== 'dnat' || p.saddr !== x.toAddr) continue;
          p.saddr = x.fromAddr;
          if (x.fromPort) p.sport = x.fromPort;
        }
      }
      const next = await deliver(d, dir, netns, rg.dev!, rg.gateway ?? p.daddr, p);
      if (!next) return null;
      ({ netns, iif } = next);
      continue;
    }
    // locally generated
    const rg = await d.world.routeGet(netns, p.daddr, p.saddr || undefined);
    if (!rg.ok) {
      await noRoute(d, dir, netns, p, rg.error ?? '', rg.command);
      return null;
    }
    if (!p.saddr) p.saddr = rg.prefsrc ?? d.world.v4(netns, rg.dev!)[0]?.split('/')[0] ?? '0.0.0.0';
    p.oif = rg.dev!;
    delete p.iif;
    d.add(dir, netns, 'route', 'pass', 'route.ok', { node, dst: p.daddr, route: `${rg.gateway ? `via ${rg.gateway} ` : ''}dev ${rg.dev}` }, [{ kind: 'route', text: `${rg.gateway ? `via ${rg.gateway} ` : ''}dev ${rg.dev}`, command: rg.command }]);
    const link = d.world.link(netns, rg.dev!);
    if (link && !link.up) {
      d.add(dir, netns, 'link.up', 'fail', 'link.down', { dev: link.name, node }, [{ kind: 'link', text: `${link.name}: ${link.state}` }], makeFix(en(`bring ${link.name} up in ${node}`, `${node}의 ${link.name}를 올립니다`), [{ op: 'link.set', node, name: link.name, up: true }]));
      return null;
    }
    const out = evalHook(det.rules, 'output', p);
    if (!runHook(d, dir, netns, 'output', p, out)) return null;
    if (dir === 'request') applyNat(d, netns, out, p);
    const post = evalHook(det.rules, 'postrouting', p);
    if (!runHook(d, dir, netns, 'postrouting', p, post)) return null;
    if (dir === 'request') applyNat(d, netns, post, p);
    const next = await deliver(d, dir, netns, rg.dev!, rg.gateway ?? p.daddr, p);
    if (!next) return null;
    ({ netns, iif } = next);
  }
  d.add(dir, netns, 'loop', 'fail', 'loop.limit', { hops: MAX_HOPS, path: path.map(nodeOf).join(' → ') });
  return null;
}

async function rpFail(d: Diagnosis, dir: Direction, netns: string, iif: string, p: Packet, command: string): Promise<void> {
  const node = nodeOf(netns);
  const det = await d.world.detail(netns);
  const value = Math.max(det.rpFilter.get('all') ?? 0, det.rpFilter.get(iif) ?? 0);
  const back = await d.world.routeGet(netns, p.saddr);
  d.add(dir, netns, 'rp_filter', 'fail', 'rpfilter.drop', { node, src: p.saddr, iif, back: back.dev ?? '(no route)', value },
    [{ kind: 'sysctl', text: `rp_filter = ${value} (all ${det.rpFilter.get('all') ?? '?'}, ${iif} ${det.rpFilter.get(iif) ?? '?'})`, command: `ip netns exec ${netns} sysctl net.ipv4.conf.all.rp_filter net.ipv4.conf.${iif}.rp_filter` },
      { kind: 'route', text: `${command}: Invalid argument; the route back to ${p.saddr} is dev ${back.dev ?? '?'}`, command: back.command }],
    makeFix(en(`use loose reverse-path filtering (rp_filter = 2) in ${node}`, `${node}에서 느슨한 역경로 필터(rp_filter = 2)를 씁니다`), [{ op: 'sysctl', node, key: 'rp_filter', value: 2 }]));
}

/** No route: on the reply, a private source that left unchanged for the outside is a missing MASQUERADE. */
async function noRoute(d: Diagnosis, dir: Direction, netns: string, p: Packet, error: string, command: string): Promise<void> {
  const orig = d.requestPath[0];
  const router = d.forwarders.at(-1);
  if (dir === 'reply' && orig && router && isPrivate(p.daddr) && !isPrivate(p.saddr) && !d.nat.some((n) => n.kind === 'snat')) {
    const rnode = nodeOf(router.netns);
    const srcCidr = d.world.owner(p.daddr)?.cidr ?? `${p.daddr}/32`;
    const line = `-t nat -A POSTROUTING -s ${networkOf(srcCidr)} -o ${router.oif} -j MASQUERADE`;
    d.add(dir, router.netns, 'nat.masquerade', 'fail', 'nat.masquerade-missing', { node: rnode, src: p.daddr, dst: p.saddr, dstNode: nodeOf(netns), oif: router.oif },
      [{ kind: 'route', text: `${command}: ${error}`, command }, { kind: 'nat', text: `no SNAT/MASQUERADE on the way (${d.requestPath.map(nodeOf).join(' → ')})`, command: `ip netns exec ${router.netns} iptables -t nat -S POSTROUTING` }],
      makeFix(en(`MASQUERADE what leaves ${rnode} on ${router.oif}`, `${rnode}에서 ${router.oif}로 나가는 패킷을 MASQUERADE합니다`), [{ op: 'fw.add', node: rnode, line }]));
    return;
  }
  await explainNoRoute(d, dir, netns, p.daddr, error, command);
}

/** tcp/udp: is anything listening where the packet arrived? */
export async function checkSocket(d: Diagnosis, netns: string, p: Packet): Promise<boolean> {
  if (p.proto === 'icmp' || p.dport === undefined) return true;
  const node = nodeOf(netns);
  const det = await d.world.detail(netns);
  const mine = det.listeners.filter((l) => l.proto === p.proto);
  const hit = mine.find((l) => l.port === p.dport && (l.addr === '*' || l.addr === p.daddr));
  if (hit) {
    d.add('request', netns, 'socket', 'pass', 'socket.ok', { node, proto: p.proto, port: p.dport, socket: hit.text }, [{ kind: 'socket', text: hit.text, command: `ip netns exec ${netns} ss -ltnu` }]);
    return true;
  }
  const listening = mine.map((l) => `${l.addr}:${l.port}`).join(', ') || `no ${p.proto} socket at all`;
  const example = p.proto === 'tcp' ? `ip netns exec ${netns} busybox nc -l -p ${p.dport}` : `ip netns exec ${netns} busybox nc -u -l -p ${p.dport}`;
  d.add('request', netns, 'socket', 'fail', 'socket.none', { node, proto: p.proto, port: p.dport, addr: p.daddr, listening, answer: p.proto === 'tcp' ? 'a TCP RST (connection refused)' : 'ICMP port unreachable', example },
    [{ kind: 'socket', text: `listening ${p.proto}: ${listening}`, command: `ip netns exec ${netns} ss -ltnu` }],
    manualFix(en(`start a server on ${p.proto} port ${p.dport} in ${node}`, `${node}에서 ${p.proto} ${p.dport} 포트로 서버를 시작합니다`), [example]));
  return false;
}

/**
 * A DNAT on the way followed by a failure at its target is the DNAT's fault: it becomes the first cause,
 * with a corrected rule when one target is obviously right (the node listening on that port).
 */
export async function blameDnat(d: Diagnosis, proto: Packet['proto']): Promise<void> {
  const rec = d.nat.find((n) => n.kind === 'dnat');
  if (!rec || !rec.rule) return;
  const firstFail = d.checks.findIndex((c) => c.status === 'fail');
  if (firstFail < 0 || firstFail < rec.check || !['socket', 'addr.present', 'route', 'addr.mask'].includes(d.checks[firstFail]!.id)) return;
  const node = nodeOf(rec.netns);
  const target = `${rec.toAddr}${rec.toPort ? `:${rec.toPort}` : ''}`;
  const failed = d.checks[firstFail]!;
  const wantPort = rec.fromPort ?? rec.toPort;
  let fixedTo: string | null = null;
  if (failed.id === 'socket') {
    // wrong port: the target listens on the original port, or on exactly one port
    const owner = d.world.owner(rec.toAddr);
    if (owner) {
      const ls = (await d.world.detail(owner.netns)).listeners.filter((l) => l.proto === proto && (l.addr === '*' || l.addr === rec.toAddr));
      const port = ls.some((l) => l.port === wantPort) ? wantPort : ls.length === 1 ? ls[0]!.port : null;
      if (port) fixedTo = `${rec.toAddr}:${port}`;
    }
  } else {
    // wrong address: the one node in a subnet of the router that listens on the port
    const routerNets = (d.world.node(rec.netns)?.links ?? []).flatMap((l) => d.world.v4(rec.netns, l.name)).filter((a) => !a.startsWith('127.'));
    const found: string[] = [];
    for (const n of d.world.nodes) {
      if (n.netns === rec.netns) continue;
      const ls = proto === 'icmp' ? [] : (await d.world.detail(n.netns)).listeners.filter((l) => l.proto === proto && l.port === (rec.toPort ?? wantPort));
      if (proto !== 'icmp' && !ls.length) continue;
      for (const l of n.links) for (const a of d.world.v4(n.netns, l.name)) if (routerNets.some((r) => inSubnet(splitCidr(a).ip, r))) found.push(splitCidr(a).ip);
    }
    if (new Set(found).size === 1) fixedTo = `${found[0]}${rec.toPort ? `:${rec.toPort}` : ''}`;
  }
  const problem = failed.id === 'socket' ? `nothing listens on ${proto} ${rec.toPort ?? wantPort}` : `no node has ${rec.toAddr}`;
  const how = failed.params.how ?? rec.line;
  const actions: WhyAction[] = [];
  if (fixedTo) {
    const words = lineWithoutComment(rec.line).replace(/--to-destination \S+/, `--to-destination ${fixedTo}`);
    actions.push({ op: 'fw.delete', node, id: rec.rule.id }, { op: 'fw.add', node, line: words });
  }
  const params = { node, target, problem, how: String(d.checks[rec.check]!.params.how ?? how), orig: `${rec.fromAddr}${rec.fromPort ? `:${rec.fromPort}` : ''}`, suggest: fixedTo ? `Point it at ${fixedTo}.` : 'Point it at the address and port the service really has.' };
  const text = renderWhy('nat.dnat-wrong', params);
  const fix = fixedTo
    ? makeFix(en(`make the DNAT in ${node} send to ${fixedTo}`, `${node}의 DNAT가 ${fixedTo}로 보내도록 고칩니다`), actions, [], rec.line)
    : null;
  d.checks[rec.check] = { ...d.checks[rec.check]!, id: 'nat.dnat', status: 'fail', key: 'nat.dnat-wrong', params, ...text, evidence: [{ kind: 'nat', text: rec.line }, ...failed.evidence], fix };
}
