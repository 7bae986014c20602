// Turns `ip -j -d` output into nslab's snapshot shapes. Pure functions: unit-tested on captured output.
import type { LinkSnapshot, RouteSnapshot } from '../../shared/contract/index.js';

interface IpAddrInfo {
  family: string;
  local: string;
  prefixlen: number;
  scope?: string;
}

export interface IpLink {
  ifindex: number;
  ifname: string;
  flags?: string[];
  mtu: number;
  operstate?: string;
  link_type?: string;
  address?: string;
  link?: string | null;
  link_index?: number;
  link_netnsid?: number;
  master?: string;
  linkinfo?: { info_kind?: string; info_slave_kind?: string; info_data?: IpVxlanData };
  addr_info?: IpAddrInfo[];
}

/** `ip -d -j` linkinfo.info_data of a vxlan (iproute2 ip/iplink_vxlan.c). */
interface IpVxlanData {
  id?: number;
  remote?: string;
  /** A multicast group instead of one remote. */
  group?: string;
  local?: string;
  /** The underlay dev's name. */
  link?: string;
  port?: number;
}

interface IpRoute {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  table?: string;
}

interface IpNetconf {
  family: string;
  interface: string;
  forwarding?: boolean;
  rp_filter?: string;
}

interface IpNsid {
  nsid: number;
  name?: string;
}

/** A veth whose peer lives in another namespace: resolved once every namespace has been read. */
export interface PendingPeer {
  link: LinkSnapshot;
  peerNetns: string | null;
  peerIfindex: number;
}

export function parseLinks(raw: unknown, nsids: Map<number, string | null>): { links: LinkSnapshot[]; pending: PendingPeer[] } {
  const pending: PendingPeer[] = [];
  const ipLinks = raw as IpLink[];
  const byIndex = new Map(ipLinks.map((l) => [l.ifindex, l.ifname]));
  const links = ipLinks.map((l): LinkSnapshot => {
    const kind = l.linkinfo?.info_kind ?? (l.link_type === 'loopback' ? 'loopback' : 'device');
    const link: LinkSnapshot = {
      name: l.ifname,
      ifindex: l.ifindex,
      kind,
      state: l.operstate ?? 'UNKNOWN',
      up: (l.flags ?? []).includes('UP'),
      mac: l.address && l.link_type !== 'loopback' ? l.address : null,
      mtu: l.mtu,
      addresses: (l.addr_info ?? [])
        .filter((a) => !(a.family === 'inet6' && a.scope === 'link'))
        .map((a) => `${a.local}/${a.prefixlen}`),
    };
    if (l.master) link.master = l.master;
    const vx = kind === 'vxlan' ? l.linkinfo?.info_data : undefined;
    if (vx?.id !== undefined) {
      const remote = vx.remote ?? vx.group;
      link.vxlan = { vni: vx.id, ...(remote ? { remote } : {}), ...(vx.local ? { local: vx.local } : {}), ...(vx.port !== undefined ? { dstport: vx.port } : {}), ...(vx.link ? { dev: vx.link } : {}) };
    }
    if (kind === 'veth') {
      if (l.link_netnsid !== undefined && l.link_index !== undefined) {
        const peerNetns = nsids.get(l.link_netnsid) ?? null;
        link.peerNetns = peerNetns;
        pending.push({ link, peerNetns, peerIfindex: l.link_index });
      } else if (l.link) {
        link.peer = l.link;
      } else if (l.link_index !== undefined && byIndex.has(l.link_index)) {
        link.peer = byIndex.get(l.link_index);
      }
    }
    return link;
  });
  return { links, pending };
}

/** Main-table unicast routes of both families (`ip route show table all`, local/broadcast dropped). */
export function parseRoutes(raw: unknown): RouteSnapshot[] {
  return (raw as IpRoute[])
    .filter((r) => r.table === undefined || r.table === 'main')
    .filter((r) => r.type === undefined || r.type === 'unicast')
    .map((r): RouteSnapshot => {
      const route: RouteSnapshot = { to: r.dst, family: r.dst.includes(':') || r.gateway?.includes(':') ? 'inet6' : 'inet' };
      if (r.gateway) route.via = r.gateway;
      if (r.dev) route.dev = r.dev;
      if (r.protocol) route.protocol = r.protocol;
      if (r.scope) route.scope = r.scope;
      return route;
    });
}

const RP_FILTER: Record<string, number> = { off: 0, strict: 1, loose: 2 };

/** Each interface's own IPv4 rp_filter, by name (`ip -json netconf show`). */
export function parseLinkRpFilters(raw: unknown): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of raw as IpNetconf[]) {
    if (c.family !== 'inet' || c.interface === 'all' || c.interface === 'default' || c.rp_filter === undefined) continue;
    const v = RP_FILTER[c.rp_filter] ?? Number(c.rp_filter);
    if (Number.isFinite(v)) out.set(c.interface, v);
  }
  return out;
}

export function parseNetconf(raw: unknown): { forwarding: boolean; forwardingV6: boolean; rpFilter: number | null } {
  const all = (family: string): IpNetconf | undefined => (raw as IpNetconf[]).find((c) => c.family === family && c.interface === 'all');
  const v4 = all('inet');
  const rp = v4?.rp_filter;
  return {
    forwarding: v4?.forwarding ?? false,
    forwardingV6: all('inet6')?.forwarding ?? false,
    rpFilter: rp === undefined ? null : (RP_FILTER[rp] ?? (Number.isFinite(Number(rp)) ? Number(rp) : null)),
  };
}

/** `ip netns list-id`: nsid → name, `null` for a namespace without a name (usually the root one). */
export function parseNsids(raw: unknown): Map<number, string | null> {
  return new Map((raw as IpNsid[]).map((n) => [n.nsid, n.name ?? null]));
}

/** `ip -j netns list` */
export function parseNetnsList(raw: unknown): string[] {
  return (raw as { name: string }[]).map((n) => n.name);
}
