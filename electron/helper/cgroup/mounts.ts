// The cgroup hierarchies this machine has mounted and the layout they make. The backends are chosen from
// them (detect.ts) and doctor reports them: detection is cgroup's own, doctor depends on it.
import { readTrimmed } from '../procfs.js';

export interface CgroupMount {
  mount: string;
  version: 'v1' | 'v2';
  controllers: string[];
}

/** cgroup hierarchies from /proc/self/mountinfo; v2 controllers from cgroup.controllers. */
export function cgroupMounts(mountinfo = readTrimmed('/proc/self/mountinfo') ?? ''): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const mountPoint = left.split(' ')[4] ?? '';
    const [fstype, , superOpts = ''] = right.split(' ');
    if (fstype === 'cgroup2') {
      mounts.push({ mount: mountPoint, version: 'v2', controllers: (readTrimmed(`${mountPoint}/cgroup.controllers`) ?? '').split(/\s+/).filter(Boolean) });
    } else if (fstype === 'cgroup') {
      const known = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'blkio', 'devices', 'freezer', 'net_cls', 'net_prio', 'perf_event', 'hugetlb', 'rdma', 'misc'];
      mounts.push({ mount: mountPoint, version: 'v1', controllers: superOpts.split(',').filter((o) => known.includes(o)) });
    }
  }
  return mounts;
}

export function cgroupLayout(mounts: CgroupMount[]): 'v1' | 'v2' | 'hybrid' | 'none' {
  const v1 = mounts.some((m) => m.version === 'v1' && m.controllers.length > 0);
  const v2 = mounts.some((m) => m.version === 'v2');
  return v1 && v2 ? 'hybrid' : v1 ? 'v1' : v2 ? 'v2' : 'none';
}
