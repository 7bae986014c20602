// The isolation view of any process: what separates it from the host (PID 1) and what does not — its
// namespaces by inode, ID maps, capabilities, no_new_privs, seccomp, LSM label, cgroups and their limits,
// mounts with propagation, and its network. Read from /proc; the network through `nsenter -n ip -j`.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCapMask } from '../../shared/container/capabilities.js';
import { hostIdOf, parseIdMap } from '../../shared/container/idmap.js';
import type { IsolationView } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { run } from '../exec/run.js';
import { parseJsonSequence } from '../net/ip.js';
import { nsInode } from './gate.js';

const NS_TYPES = ['mnt', 'pid', 'net', 'uts', 'ipc', 'user', 'cgroup', 'time'] as const;
/** The host is PID 1; where PID 1's namespaces cannot be read (a VM's init guarding itself), the helper. */
function hostReference(): { pid: number | 'self'; note: string } {
  return nsInode(1, 'mnt') !== null ? { pid: 1, note: 'PID 1' } : { pid: 'self', note: "the helper (PID 1's namespaces cannot be read here)" };
}

function read(path: string, unreadable: string[]): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    unreadable.push(`${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return null;
  }
}

const field = (status: string, key: string): string => status.split('\n').find((l) => l.startsWith(`${key}:`))?.slice(key.length + 1).trim() ?? '';

/** mountinfo optional fields → shared / slave / private / unbindable, as `findmnt -o PROPAGATION` says it. */
export function propagationOf(optional: string[]): string {
  const kinds = [
    ...optional.filter((o) => o.startsWith('shared:')).map(() => 'shared'),
    ...optional.filter((o) => o.startsWith('master:')).map(() => 'slave'),
    ...optional.filter((o) => o === 'unbindable').map(() => 'unbindable'),
  ];
  return kinds.length ? kinds.join(',') : 'private';
}

export function parseMountinfo(text: string): IsolationView['mounts'] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [left, right = ''] = line.split(' - ');
      const f = left!.split(' ');
      const [fstype = '', source = ''] = right.split(' ');
      const options = f[5] ?? '';
      return { target: f[4] ?? '', source, fstype, readOnly: options.split(',').includes('ro'), propagation: propagationOf(f.slice(6)), options };
    });
}

/** Where each cgroup hierarchy is mounted on the host, keyed like /proc/PID/cgroup's middle field. */
function cgroupMounts(): Map<string, string> {
  const mounts = new Map<string, string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right = ''] = line.split(' - ');
    const [fstype, , superOpts = ''] = right.split(' ');
    const target = left?.split(' ')[4];
    if (!target) continue;
    if (fstype === 'cgroup2') mounts.set('', target);
    else if (fstype === 'cgroup') {
      const ctrl = superOpts.split(',').filter((o) => !['rw', 'ro', 'relatime', 'nosuid', 'nodev', 'noexec'].includes(o));
      mounts.set(ctrl.join(','), target);
    }
  }
  return mounts;
}

const LIMIT_FILES = ['memory.limit_in_bytes', 'memory.max', 'pids.max', 'cpu.cfs_quota_us', 'cpu.cfs_period_us', 'cpu.max', 'cpu.shares', 'cpu.weight', 'cpuset.cpus'];

function cgroupsOf(pid: number, unreadable: string[]): IsolationView['cgroups'] {
  const text = read(`/proc/${pid}/cgroup`, unreadable) ?? '';
  const mounts = cgroupMounts();
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, controllers = '', ...rest] = line.split(':');
      const path = rest.join(':');
      const mount = mounts.get(controllers) ?? mounts.get(controllers.split(',').sort().join(','));
      const limits: Record<string, string> = {};
      if (mount) {
        const dir = join(mount, path);
        let files: string[] = [];
        try {
          files = readdirSync(dir);
        } catch {
          // a group of another cgroup namespace, or gone
        }
        for (const f of LIMIT_FILES.filter((l) => files.includes(l))) {
          try {
            limits[f] = readFileSync(join(dir, f), 'utf8').trim();
          } catch {
            // unreadable for this user
          }
        }
      }
      return { hierarchy: controllers || 'unified', path, limits };
    })
    .filter((c) => c.hierarchy !== 'name=systemd' || Object.keys(c.limits).length > 0);
}

async function networkOf(pid: number, unreadable: string[]): Promise<IsolationView['network']> {
  try {
    const [links, routes] = await Promise.all([
      run(['nsenter', '-t', String(pid), '-n', '--', 'ip', '-j', 'addr', 'show']),
      run(['nsenter', '-t', String(pid), '-n', '--', 'ip', '-j', 'route', 'show']),
    ]);
    const l = (parseJsonSequence(links.stdout)[0] ?? []) as { ifname: string; operstate: string; addr_info?: { local: string; prefixlen: number }[] }[];
    const r = (parseJsonSequence(routes.stdout)[0] ?? []) as { dst: string; gateway?: string; dev?: string }[];
    return {
      links: l.map((x) => ({ name: x.ifname, state: x.operstate, addresses: (x.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`) })),
      routes: r.map((x) => [x.dst, x.gateway ? `via ${x.gateway}` : '', x.dev ? `dev ${x.dev}` : ''].filter(Boolean).join(' ')),
    };
  } catch (err) {
    unreadable.push(`network: ${(err as Error).message}`);
    return null;
  }
}

export async function inspectProcess(pid: number): Promise<IsolationView> {
  const unreadable: string[] = [];
  const status = read(`/proc/${pid}/status`, unreadable);
  if (status === null) throw new NslabError('not-found', `there is no process ${pid}`, { field: 'pid' });
  const cmdline = (read(`/proc/${pid}/cmdline`, unreadable) ?? '').split('\0').filter(Boolean).join(' ');
  const host = hostReference();
  const namespaces = NS_TYPES.map((type) => ({ type, inode: nsInode(pid, type), host: nsInode(host.pid, type) }))
    .filter((n): n is { type: (typeof NS_TYPES)[number]; inode: number; host: number | null } => n.inode !== null)
    .map((n) => ({ ...n, shared: n.inode === n.host }));
  const uidMap = parseIdMap(read(`/proc/${pid}/uid_map`, unreadable) ?? '');
  const gidMap = parseIdMap(read(`/proc/${pid}/gid_map`, unreadable) ?? '');
  const caps = (key: string): string[] => decodeCapMask(field(status, key));
  const seccomp = ({ '0': 'disabled', '1': 'strict', '2': 'filter' } as const)[field(status, 'Seccomp') as '0' | '1' | '2'] ?? 'unknown';
  const lsmCurrent = (() => {
    try {
      return readFileSync(`/proc/${pid}/attr/current`, 'utf8').replace(/\0/g, '').trim() || null;
    } catch {
      return null; // no LSM that labels processes
    }
  })();
  const lsmName = (() => {
    try {
      return readFileSync('/sys/kernel/security/lsm', 'utf8').trim() || null;
    } catch {
      return null;
    }
  })();
  return {
    pid,
    command: cmdline || field(status, 'Name'),
    hostReference: host.note,
    namespaces,
    user: {
      uids: field(status, 'Uid').split(/\s+/).map(Number),
      gids: field(status, 'Gid').split(/\s+/).map(Number),
      uidMap,
      gidMap,
      rootOnHost: hostIdOf(0, uidMap),
      setgroups: read(`/proc/${pid}/setgroups`, unreadable)?.trim() ?? null,
    },
    capabilities: { effective: caps('CapEff'), permitted: caps('CapPrm'), inheritable: caps('CapInh'), bounding: caps('CapBnd'), ambient: caps('CapAmb') },
    noNewPrivs: field(status, 'NoNewPrivs') === '1',
    seccomp,
    lsm: { current: lsmCurrent, name: lsmName },
    cgroups: cgroupsOf(pid, unreadable),
    mounts: parseMountinfo(read(`/proc/${pid}/mountinfo`, unreadable) ?? ''),
    network: await networkOf(pid, unreadable),
    unreadable,
  };
}
