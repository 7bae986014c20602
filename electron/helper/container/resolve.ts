// Every check of a container.run before anything is made (a refused run changes nothing), and the
// defaults it resolves: its name, rootfs layers, capabilities, user namespace maps, hostname and network.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cgroupPath } from '../../shared/cgroup/names.js';
import { resolveCapabilities, decodeCapMask } from '../../shared/container/capabilities.js';
import { formatIdMap, outsideWithin, parseIdMap, type IdMapLine } from '../../shared/container/idmap.js';
import type { ContainerRunParams } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { netnsOf } from '../../shared/names.js';
import { awaitedLater } from '../concurrency.js';
import type { HelperContext } from '../context.js';
import type { CgroupDriver } from '../cgroup/driver.js';
import { ipJson } from '../net/ip.js';
import { listNetns } from '../net/snapshot.js';
import { containerCgroup, containerNetns, containerObject } from './names.js';
import { checkRootfsDir, ensureBusyboxRootfs, ensureSkeleton, ensureTools } from './rootfs.js';
import { listRecords, loadRecord } from './store.js';

/** The first host UID range nslab hands to user-namespaced containers, 65536 IDs each. */
const USERNS_BASE = 100_000;
const USERNS_SIZE = 65_536;

function ownIdMap(kind: 'uid' | 'gid'): IdMapLine[] {
  return parseIdMap(readFileSync(`/proc/self/${kind}_map`, 'utf8'));
}

function boundingSet(): Set<string> {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('CapBnd:'));
  return new Set(decodeCapMask(line?.split(/\s+/)[1] ?? '0'));
}

/** A free host range for a container's user namespace (not used by another nslab container). */
function freeRange(stateDir: string): number {
  const used = new Set(listRecords(stateDir).flatMap((r) => (r.uidMap ?? []).map((l) => l.outside)));
  for (let base = USERNS_BASE; ; base += USERNS_SIZE) if (!used.has(base)) return base;
}

export interface Resolved {
  name: string;
  rootfsLower: string[];
  rootfsLabel: string;
  caps: string[];
  uidMap: IdMapLine[] | null;
  gidMap: IdMapLine[] | null;
  hostname: string;
  node: { netns: string; bridge: string | null } | null;
  tools: string;
  /**
   * The bridge check (one `ip` in the node's namespace), running while the cgroup and the namespaces are
   * made; awaited before the veth goes onto the bridge, so a missing bridge still fails the run, with
   * everything made so far undone, before the container's program could start.
   */
  bridgeChecked: Promise<void>;
}

/** Every check before anything is made: a refused run changes nothing. */
export async function resolveRun(ctx: HelperContext, p: ContainerRunParams, drv: CgroupDriver): Promise<Resolved> {
  const name = p.name ?? `c${randomBytes(4).toString('hex')}`;
  if (loadRecord(ctx.stateDir, name) || ctx.ledger.has(containerObject(name, ''))) throw new NslabError('exists', `container ${name} already exists (nslab container rm ${name})`, { field: 'name' });
  if (drv.backend.exists(containerCgroup(name))) throw new NslabError('exists', `cgroup ${cgroupPath(containerCgroup(name))} already exists`, { field: 'name' });
  drv.validate(p.limits);
  const caps = resolveCapabilities(p.capDrop, p.capAdd);
  const bounding = boundingSet();
  const missing = caps.filter((c) => !bounding.has(c));
  if (missing.length) throw new NslabError('invalid-params', `capabilities ${missing.join(', ')} are not in the helper's own bounding set, so no process it starts can have them`, { field: 'capAdd' });
  if ((p.uidMap || p.gidMap) && !p.userns) throw new NslabError('invalid-params', 'uidMap/gidMap need userns: true', { field: p.uidMap ? 'uidMap' : 'gidMap' });
  let uidMap: IdMapLine[] | null = null;
  let gidMap: IdMapLine[] | null = null;
  if (p.userns) {
    const base = freeRange(ctx.stateDir);
    uidMap = p.uidMap ?? [{ inside: 0, outside: base, count: USERNS_SIZE }];
    gidMap = p.gidMap ?? uidMap;
    for (const [field, map, own] of [['uidMap', uidMap, ownIdMap('uid')], ['gidMap', gidMap, ownIdMap('gid')]] as const) {
      const bad = outsideWithin(map, own);
      if (bad !== null) throw new NslabError('invalid-params', `${field}.${bad}: outside range ${map[bad]!.outside}-${map[bad]!.outside + map[bad]!.count - 1} is not mapped in the helper's own user namespace (${formatIdMap(own).trim().replace(/\n/g, '; ')}): the kernel refuses it with EPERM`, { field: `${field}.${bad}` });
      const root = map.findIndex((l) => l.outside === 0 || (0 >= l.outside && 0 < l.outside + l.count));
      if (root >= 0) throw new NslabError('invalid-params', `${field}.${root}: maps host ID 0 into the container: its root would be the host's root, which is what a user namespace is for avoiding`, { field: `${field}.${root}` });
    }
    const others = listRecords(ctx.stateDir).flatMap((r) => r.uidMap ?? []);
    for (const [i, l] of uidMap.entries()) {
      if (others.some((o) => l.outside < o.outside + o.count && o.outside < l.outside + l.count)) {
        throw new NslabError('invalid-params', `uidMap.${i}: host range ${l.outside}-${l.outside + l.count - 1} overlaps another nslab container's: their roots would be the same host user`, { field: `uidMap.${i}` });
      }
    }
  }
  let node: Resolved['node'] = null;
  let bridgeChecked: Promise<void> = Promise.resolve();
  const net = p.net;
  if (net !== 'none') {
    const netns = netnsOf(net.node);
    const present = await listNetns();
    if (!present.includes(netns)) throw new NslabError('not-found', `node ${net.node} has no namespace (${netns} does not exist)`, { field: 'net.node' });
    if (!p.userns && present.includes(containerNetns(name))) throw new NslabError('exists', `namespace ${containerNetns(name)} already exists`, { field: 'name' });
    if (net.bridge) {
      const bridge = net.bridge;
      // awaited by the build, once it knows what to undo
      bridgeChecked = awaitedLater(ipJson(netns, ['link', 'show', 'type', 'bridge']).then((links) => {
        if (!(links as { ifname: string }[]).some((l) => l.ifname === bridge)) throw new NslabError('not-found', `bridge ${bridge} does not exist in ${netns}`, { field: 'net.bridge' });
      }));
    }
    node = { netns, bridge: net.bridge ?? null };
  } else if (p.ip) throw new NslabError('invalid-params', 'ip needs a network (net: a node or bridge:NODE/BR)', { field: 'ip' });
  const skeleton = await ensureSkeleton(ctx.stateDir);
  const lower = p.rootfs === 'busybox' ? await ensureBusyboxRootfs(ctx.stateDir) : checkRootfsDir(p.rootfs, ctx.stateDir);
  const tools = await ensureTools(ctx.stateDir);
  return { name, rootfsLower: [skeleton, lower], rootfsLabel: p.rootfs === 'busybox' ? 'busybox' : lower, caps, uidMap, gidMap, hostname: p.hostname ?? name, node, tools, bridgeChecked };
}
