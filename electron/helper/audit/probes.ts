// How each probe kind of the checklist is evaluated: against a container (its configuration and its PID 1's
// isolation view), the host, nslab's state, or a Docker daemon's configuration — all read-only.
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import type { Probe } from '../../shared/audit/schema.js';
import type { ContainerInfo, IsolationView } from '../../shared/contract/index.js';

export type Outcome = { status: 'pass' | 'fail' | 'na' | 'guidance'; evidence: string };

export interface ContainerTarget {
  info: ContainerInfo;
  view: IsolationView | null;
}

export interface AuditEnv {
  stateDir: string;
  containers: ContainerTarget[];
  /** /etc/docker/daemon.json parsed ({} when the daemon runs without one); null when there is no Docker. */
  docker: Record<string, unknown> | null;
  unseen: string[];
}

const pass = (evidence: string): Outcome => ({ status: 'pass', evidence });
const fail = (evidence: string): Outcome => ({ status: 'fail', evidence });
const na = (evidence: string): Outcome => ({ status: 'na', evidence });

export const isContainerProbe = (p: Probe): boolean => p.kind.startsWith('container-') || p.kind.startsWith('process-');

/** Docker's defaults for the daemon.json keys the checklist reads. */
const DOCKER_DEFAULTS: Record<string, unknown> = { icc: true, tlsverify: false, 'log-driver': 'json-file', 'insecure-registries': [] };

export function dockerPresent(): boolean {
  return ['/var/run/docker.sock', '/etc/docker', '/usr/bin/dockerd'].some((p) => existsSync(p));
}

export function readDockerConfig(unseen: string[]): Record<string, unknown> | null {
  if (!dockerPresent()) return null;
  try {
    return JSON.parse(readFileSync('/etc/docker/daemon.json', 'utf8')) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') unseen.push(`/etc/docker/daemon.json: ${code ?? (err as Error).message}`);
    return {};
  }
}

function fileMode(path: string, max: string, missing: 'pass' | 'na' | 'fail', unseen: string[]): Outcome {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES') {
      unseen.push(`${path}: EACCES`);
      return na(`${path} cannot be read by this user`);
    }
    return { status: missing, evidence: `${path} does not exist` };
  }
  const extra = mode & ~Number.parseInt(max, 8);
  const shown = `0${mode.toString(8).padStart(3, '0')}`;
  return extra === 0 ? pass(`${path} is ${shown} (at most ${max})`) : fail(`${path} is ${shown}: more open than ${max}`);
}

function sysctl(key: string, expect: string, unseen: string[]): Outcome {
  const path = `/proc/sys/${key.replace(/\./g, '/')}`;
  try {
    const value = readFileSync(path, 'utf8').trim();
    return expect.split('|').includes(value) ? pass(`${key} = ${value}`) : fail(`${key} = ${value} (expected ${expect.replace(/\|/g, ' or ')})`);
  } catch (err) {
    unseen.push(`${path}: ${(err as NodeJS.ErrnoException).code}`);
    return na(`${key} is not available on this kernel`);
  }
}

/** Listening TCP sockets of running `nslab serve` processes, checked to be bound to loopback. */
function serveLoopback(unseen: string[]): Outcome {
  const inodes = new Set<string>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (!/nslab(\.mjs)?\s+serve\b/.test(cmd)) continue;
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      }
    } catch {
      unseen.push(`/proc/${pid}/fd: not readable by this user`);
    }
  }
  if (inodes.size === 0) return na('no nslab serve is running');
  const bound: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9] ?? '')) bound.push(f[1]!.split(':')[0]!);
    }
  }
  const loopback = (hex: string): boolean => hex === '0100007F' || hex === '00000000000000000000000001000000';
  const open = bound.filter((h) => !loopback(h));
  return open.length ? fail(`nslab serve listens on a non-loopback address (${open.join(', ')})`) : pass(`nslab serve listens on loopback only (${bound.length} socket(s))`);
}

function docker(env: AuditEnv, key: string, expect: boolean | string): Outcome {
  if (!env.docker) return na('no Docker daemon on this machine');
  const value = key in env.docker ? env.docker[key] : DOCKER_DEFAULTS[key];
  if (expect === 'none') {
    const empty = value === undefined || (Array.isArray(value) && value.length === 0);
    return empty ? pass(`${key} is not set`) : fail(`${key} = ${JSON.stringify(value)}`);
  }
  return value === expect ? pass(`${key} = ${JSON.stringify(value)}`) : fail(`${key} = ${JSON.stringify(value)} (expected ${JSON.stringify(expect)})`);
}

export function hostOutcome(p: Probe, env: AuditEnv): Outcome {
  switch (p.kind) {
    case 'file-mode':
      return fileMode(p.path.replace('{state}', env.stateDir), p.max, p.missing, env.unseen);
    case 'sysctl':
      return sysctl(p.key, p.expect, env.unseen);
    case 'listen-loopback':
      return serveLoopback(env.unseen);
    case 'docker-config':
      return docker(env, p.key, p.expect);
    case 'docker-file':
      if (!env.docker) return na('no Docker daemon on this machine');
      return existsSync(p.path) === (p.expect === 'present') ? pass(`${p.path} is ${p.expect}`) : fail(`${p.path} is ${p.expect === 'present' ? 'absent' : 'present'}`);
    case 'guidance':
      return { status: 'guidance', evidence: 'not checked automatically: see the fix' };
    default:
      return na(`${p.kind} applies to containers`);
  }
}

const netOf = (c: ContainerInfo): string | null => (c.net === 'none' ? null : `${c.net.node}/${c.net.bridge ?? c.name}`);

export function containerOutcome(p: Probe, t: ContainerTarget, env: AuditEnv): Outcome {
  const c = t.info;
  switch (p.kind) {
    case 'container-userns':
    case 'process-root-unprivileged': {
      if (p.kind === 'process-root-unprivileged' && t.view) {
        const root = t.view.user.rootOnHost;
        return root !== 0 ? pass(`uid 0 inside is host uid ${root ?? 'unmapped'} (uid_map ${t.view.user.uidMap.map((l) => `${l.inside} ${l.outside} ${l.count}`).join('; ')})`) : fail('uid 0 inside is uid 0 on the host (no user namespace)');
      }
      return c.userns ? pass(`user namespace, root = host uid ${c.userns.uidMap[0]?.outside}`) : fail('no user namespace: root inside is root on the host');
    }
    case 'container-limit': {
      const v = c.limits[p.limit];
      return v !== undefined && v !== '-1' && v !== 'max' ? pass(`${p.limit} = ${String(v)}`) : fail(`no ${p.limit} limit`);
    }
    case 'container-read-only':
      return c.readOnly ? pass('root filesystem mounted read-only') : fail('root filesystem is writable');
    case 'container-network':
      return pass(c.net === 'none' ? 'a network namespace of its own with only lo' : `its own network namespace, a veth into ${netOf(c)}`);
    case 'container-separated': {
      const mine = netOf(c);
      const sharing = mine ? env.containers.filter((o) => o.info.name !== c.name && netOf(o.info) === mine && o.info.owner !== c.owner) : [];
      return sharing.length ? fail(`shares ${mine} with ${sharing.map((o) => `${o.info.name} (${o.info.owner})`).join(', ')}`) : pass(mine ? `${mine} is used by its owner (${c.owner}) only` : 'no network shared with anyone');
    }
    default:
      break;
  }
  if (!t.view) return na(`${c.name} is not running: its processes cannot be inspected`);
  const v = t.view;
  switch (p.kind) {
    case 'process-namespaces': {
      const shared = p.private.filter((type) => v.namespaces.find((n) => n.type === type)?.shared !== false);
      return shared.length ? fail(`shares ${shared.join(', ')} with the host`) : pass(`${p.private.join(', ')}: private`);
    }
    case 'process-caps-exclude': {
      const held = p.caps.filter((cap) => v.capabilities.bounding.includes(cap));
      return held.length ? fail(`bounding set holds ${held.join(', ')}`) : pass(`bounding set: ${v.capabilities.bounding.join(', ') || 'empty'}`);
    }
    case 'process-no-new-privs':
      return v.noNewPrivs ? pass('NoNewPrivs: 1') : fail('NoNewPrivs: 0 (setuid binaries and file capabilities can raise privileges)');
    case 'process-mount-read-only': {
      const m = v.mounts.find((x) => x.target === p.target);
      return !m ? na(`${p.target} is not mounted`) : m.readOnly ? pass(`${p.target} (${m.fstype}) is read-only`) : fail(`${p.target} (${m.fstype}) is writable`);
    }
    case 'process-seccomp':
      return v.seccomp === 'filter' ? pass('Seccomp: 2 (filter)') : fail(`Seccomp: ${v.seccomp}`);
    default:
      return na(`${p.kind} is not a container check`);
  }
}
