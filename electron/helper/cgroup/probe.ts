// The sampler's view of one group: files kept open and re-read at offset 0 each sweep (no spawning, no
// open/close per value), parsed into the few numbers the live graphs need.
import { join } from 'node:path';
import type { CgroupBackend } from './backend.js';
import { FileReader } from './cgroupfs.js';

export const CGROUP_FIELDS = ['cpuNs', 'memory', 'memoryLimit', 'nrThrottled', 'throttledNs', 'pids', 'pidsMax', 'oomKills'] as const;
export type CgroupSample = Record<(typeof CGROUP_FIELDS)[number], number | null>;

const int = (text: string | null): number | null => {
  if (text === null) return null;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : null;
};
/** `key value` lookup without building a map (the hot path). */
const keyed = (text: string | null, key: string): number | null => {
  if (text === null) return null;
  const at = text.indexOf(`${key} `);
  if (at < 0 || (at > 0 && text[at - 1] !== '\n')) return null;
  return Number(text.slice(at + key.length + 1, text.indexOf('\n', at) >>> 0));
};
const limit = (text: string | null): number | null => {
  if (text === null || text.startsWith('max')) return null;
  const n = Number(text.trim());
  return n >= 2 ** 62 || n < 0 ? null : n;
};

export class CgroupProbe {
  private readonly readers: FileReader[] = [];
  private readonly read: () => CgroupSample;

  constructor(backend: CgroupBackend, name: string) {
    const open = (dir: string | undefined, file: string): FileReader => {
      const r = new FileReader(dir ? join(dir, file) : '/nonexistent');
      this.readers.push(r);
      return r;
    };
    const dirs = backend.dirs(name);
    const dirOf = (controller: string): string | undefined => dirs.find((d) => d.includes(`/${controller}/nslab/`));
    if (backend.version === 'v2') {
      const d = dirs[0];
      const [cpu, mem, max, events, pids, pidsMax] = ['cpu.stat', 'memory.current', 'memory.max', 'memory.events', 'pids.current', 'pids.max'].map((f) => open(d, f)) as FileReader[];
      this.read = () => {
        const stat = cpu!.read();
        const usage = keyed(stat, 'usage_usec');
        const throttled = keyed(stat, 'throttled_usec');
        return {
          cpuNs: usage === null ? null : usage * 1000,
          memory: int(mem!.read()),
          memoryLimit: limit(max!.read()),
          nrThrottled: keyed(stat, 'nr_throttled'),
          throttledNs: throttled === null ? null : throttled * 1000,
          pids: int(pids!.read()),
          pidsMax: limit(pidsMax!.read()),
          oomKills: keyed(events!.read(), 'oom_kill'),
        };
      };
    } else {
      const usage = open(dirOf('cpuacct'), 'cpuacct.usage');
      const cpuStat = open(dirOf('cpu'), 'cpu.stat');
      const mem = open(dirOf('memory'), 'memory.usage_in_bytes');
      const max = open(dirOf('memory'), 'memory.limit_in_bytes');
      const oom = open(dirOf('memory'), 'memory.oom_control');
      const pids = open(dirOf('pids'), 'pids.current');
      const pidsMax = open(dirOf('pids'), 'pids.max');
      this.read = () => {
        const stat = cpuStat.read();
        return {
          cpuNs: int(usage.read()),
          memory: int(mem.read()),
          memoryLimit: limit(max.read()),
          nrThrottled: keyed(stat, 'nr_throttled'),
          throttledNs: keyed(stat, 'throttled_time'),
          pids: int(pids.read()),
          pidsMax: limit(pidsMax.read()),
          oomKills: keyed(oom.read(), 'oom_kill'),
        };
      };
    }
  }

  /** null when the group is gone. */
  sample(): CgroupSample | null {
    const s = this.read();
    return s.cpuNs === null && s.memory === null && s.pids === null ? null : s;
  }

  close(): void {
    for (const r of this.readers) r.close();
  }
}
