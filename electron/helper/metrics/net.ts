// Interface counters of every nslab namespace, without spawning per value: /proc/<pid>/net/dev of a
// process living in the namespace shows that namespace's interfaces (unlike /sys/class/net, which shows
// the namespace sysfs was mounted in — `nsenter --net cat /sys/class/net/…` reads the root's). A namespace
// made by `ip netns add` has no process, so one `sleep` is parked in it (spawned once, not per sample, by
// the helper's spawner: see exec/spawner.ts) and killed as soon as the namespace is gone, so it never keeps
// a deleted namespace alive for long.
import { readdirSync } from 'node:fs';
import { seriesId, type NetField } from '../../shared/contract/metrics.js';
import { isMarked } from '../../shared/names.js';
import { startAnchor, type AnchorProcess } from '../exec/spawner.js';
import { FileReader } from '../procfs.js';

export type NetSample = Record<NetField, number>;

/** /proc/net/dev: `  ifname: rx bytes packets errs drop fifo frame compressed multicast tx bytes packets errs drop …`. */
export function parseNetDev(text: string, keep: (ifname: string) => boolean = () => true): Map<string, NetSample> {
  const out = new Map<string, NetSample>();
  let at = text.indexOf('\n', text.indexOf('\n') + 1) + 1; // two header lines
  while (at > 0 && at < text.length) {
    const end = text.indexOf('\n', at);
    const line = text.slice(at, end < 0 ? undefined : end);
    at = end < 0 ? -1 : end + 1;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (!keep(name)) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/);
    out.set(name, { rxBytes: +f[0]!, rxPackets: +f[1]!, rxErrors: +f[2]!, rxDrops: +f[3]!, txBytes: +f[8]!, txPackets: +f[9]!, txErrors: +f[10]!, txDrops: +f[11]! });
  }
  return out;
}

const NETNS_DIR = '/run/netns';

export class NetSource {
  private readonly anchors = new Map<string, { proc: AnchorProcess; reader: FileReader | null }>();
  private readonly root = new FileReader('/proc/self/net/dev');

  /** Series id (`net:<netns>:<ifname>`, `net:host:<ifname>` for nslab- links of the root) → counters. */
  sweep(): Map<string, NetSample> {
    const out = new Map<string, NetSample>();
    const rootText = this.root.read();
    if (rootText) for (const [ifname, s] of parseNetDev(rootText, isMarked)) out.set(seriesId('net', 'host', ifname), s);
    let names: string[] = [];
    try {
      names = readdirSync(NETNS_DIR).filter(isMarked);
    } catch {
      // no namespaces at all
    }
    const live = new Set(names);
    for (const [netns, a] of this.anchors) {
      if (!live.has(netns)) {
        a.proc.kill();
        a.reader?.close();
        this.anchors.delete(netns);
      }
    }
    for (const netns of names) {
      let a = this.anchors.get(netns);
      if (!a) {
        a = { proc: startAnchor(['nsenter', `--net=${NETNS_DIR}/${netns}`, '--', 'sleep', 'infinity']), reader: null };
        this.anchors.set(netns, a);
      }
      // nsenter execs sleep in the same pid once it has entered: until then the file shows the root's (and
      // until the spawner has started it, its pid is -1: the next sweep looks again).
      if (!a.reader || !a.reader.open) {
        if (!this.entered(a.proc.pid)) continue;
        a.reader = new FileReader(`/proc/${a.proc.pid}/net/dev`);
      }
      const text = a.reader.read();
      if (text) for (const [ifname, s] of parseNetDev(text, (n) => n !== 'lo')) out.set(seriesId('net', netns, ifname), s);
    }
    return out;
  }

  private entered(pid: number): boolean {
    const r = new FileReader(`/proc/${pid}/comm`);
    const comm = r.read();
    r.close();
    return comm?.trim() === 'sleep';
  }

  close(): void {
    for (const a of this.anchors.values()) {
      a.proc.kill();
      a.reader?.close();
    }
    this.anchors.clear();
    this.root.close();
  }
}
