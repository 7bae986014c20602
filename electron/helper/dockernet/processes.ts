// Long-lived programs a dockernet runs inside its nodes (docker-proxy per published port, busybox httpd
// in a container): recorded in the ledger (kind `process`) before they start, started detached so they
// outlive a CLI call, found again by their marker — a word of their argv that is the record's name (or a
// path ending in it) — and killed by `down` and gc. A pid alone is never trusted: it may have been reused.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerObject } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { shellLine } from '../../shared/shell.js';
import type { HelperContext } from '../context.js';
import { spawnDetached, spawnDetachedUntil } from '../exec/attached.js';
import { hasProgram } from '../exec/on-path.js';
import { reportActivity } from '../exec/run.js';
import type { KindDriver } from '../ledger/kinds.js';
import { listProcesses, readTrimmed } from '../procfs.js';
import { PROXY_LISTENING, proxyProgramFile } from './proxy-program.js';

/** A marker: `nslab-<dockernet>-proxy-<port>`, `nslab-<dockernet>-<container>-httpd`. */
const MARKED = /^nslab-[a-z0-9-]+-(proxy-[0-9]+|httpd)$/;
const markerOf = (argv: string[]): string | undefined => argv.map((w) => w.slice(w.lastIndexOf('/') + 1)).find((w) => MARKED.test(w));

function pidsOf(names: Set<string>): Map<string, number[]> {
  const found = new Map<string, number[]>();
  for (const p of listProcesses()) {
    const m = markerOf(p.argv);
    if (m && names.has(m)) found.set(m, [...(found.get(m) ?? []), p.pid]);
  }
  return found;
}

/**
 * Is something listening on TCP `port` in the namespace of `pid` (its /proc/PID/net/tcp)? Each read walks
 * the kernel's whole TCP hash, which is sized by memory: ~3 ms per file on a 24 GiB machine, which is why
 * a program that can say it listens (`says`) is not polled.
 */
function listening(pid: number, port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  // busybox binds [::]:80 (tcp6) where the namespace has IPv6; node binds 0.0.0.0 (tcp).
  const table = `${readTrimmed(`/proc/${pid}/net/tcp`) ?? ''}\n${readTrimmed(`/proc/${pid}/net/tcp6`) ?? ''}`;
  return table.split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return f[1]?.endsWith(`:${hex}`) && f[3] === '0A';
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const START_MS = 3000;

async function pollListening(pid: number, port: number): Promise<boolean> {
  for (const end = performance.now() + START_MS; performance.now() < end && !listening(pid, port); ) {
    if (readTrimmed(`/proc/${pid}/cmdline`) === null) break;
    await sleep(5);
  }
  return listening(pid, port);
}

export interface ManagedProcess {
  /** The marker and ledger name. */
  name: string;
  netns: string;
  argv: string[];
  /** Started means listening on this TCP port. */
  port: number;
  /** The line the program prints on stdout once it listens; without one, its TCP table is polled. */
  says?: string;
  owner: string;
  /** The activity log's equivalent command, when it is not the argv itself (docker-proxy's own flags). */
  shell?: string;
}

/** Starts it unless it already runs (a re-up); the ledger knows it before it exists. */
export async function startProcess(ctx: HelperContext, p: ManagedProcess): Promise<void> {
  const object: LedgerObject = { kind: 'process', netns: p.netns, name: p.name, owner: p.owner };
  // Only a record the ledger knows can be running already (a re-up): a fresh one needs no scan of every
  // process's cmdline, which on a busy machine is tens of milliseconds of blocking reads.
  if (ctx.ledger.has(object) && (pidsOf(new Set([p.name])).get(p.name) ?? []).length > 0) return;
  const tx = ctx.ledger.begin([object]);
  // the network namespace is all it needs: no mount namespace and /sys of its own, as `ip netns exec` makes
  const argv = ['nsenter', `--net=/run/netns/${p.netns}`, '--', ...p.argv];
  const started = performance.now();
  const ok = p.says ? (await spawnDetachedUntil(argv, p.says, START_MS)).said : await pollListening(spawnDetached(argv), p.port);
  reportActivity({ at: new Date().toISOString(), argv, shell: [`${p.shell ?? shellLine(argv)} &`], ok, ms: Math.round(performance.now() - started) });
  if (!ok) {
    killNamed(new Set([p.name]));
    ctx.ledger.removed([object], tx);
    throw new NslabError('internal', `${p.argv[0]} did not start listening on port ${p.port} in ${p.netns}`, { netns: p.netns, port: p.port });
  }
  ctx.ledger.commit(tx);
}

function killNamed(names: Set<string>): void {
  for (const pids of pidsOf(names).values()) {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

export const processKind: KindDriver = {
  kind: 'process',
  // First of all: a process inside a namespace keeps it alive after `ip netns del`.
  order: 3,
  async present(objects) {
    const found = pidsOf(new Set(objects.map((o) => o.name)));
    return objects.filter((o) => found.has(o.name));
  },
  async remove(objects) {
    const names = new Set(objects.map((o) => o.name));
    killNamed(names);
    for (let i = 0; i < 100 && pidsOf(names).size > 0; i++) await sleep(10);
    const left = pidsOf(names);
    return objects.filter((o) => left.has(o.name)).map((object) => ({ object, message: `process ${object.name} is still running` }));
  },
  async scanMarked() {
    return listProcesses().flatMap((p) => {
      const m = markerOf(p.argv);
      return m ? [{ kind: 'process' as const, netns: null, name: m }] : [];
    });
  },
};

/** docker-proxy for one published port, in the host node: nslab's Perl forwarder with docker-proxy's flags. */
export function proxyProcess(stateDir: string, dockernet: string, netns: string, owner: string, hostPort: number, containerIp: string, containerPort: number): ManagedProcess {
  const name = `nslab-${dockernet}-proxy-${hostPort}`;
  if (!hasProgram('perl')) throw new NslabError('tool-missing', 'perl is not installed (apt-get install perl-base): nslab\'s docker-proxy for a published port is a Perl program', { tool: 'perl' });
  const argv = ['perl', proxyProgramFile(stateDir), name, ...proxyFlags(hostPort, containerIp, containerPort)];
  return { name, netns, argv, port: hostPort, owner, says: PROXY_LISTENING, shell: proxyShell(netns, hostPort, containerIp, containerPort) };
}

const proxyFlags = (hostPort: number, containerIp: string, containerPort: number): string[] =>
  ['-proto', 'tcp', '-host-ip', '0.0.0.0', '-host-port', String(hostPort), '-container-ip', containerIp, '-container-port', String(containerPort)];

/** The command dockerd would run for the port (what the activity log and a lab's script show). */
export const proxyShell = (netns: string, hostPort: number, containerIp: string, containerPort: number): string =>
  shellLine(['ip', 'netns', 'exec', netns, 'docker-proxy', ...proxyFlags(hostPort, containerIp, containerPort)]);

/** `busybox httpd -f -p 80` in a container, serving one page that names it. */
export function httpdProcess(ctx: HelperContext, dockernet: string, container: string, netns: string, owner: string): ManagedProcess {
  const name = `nslab-${dockernet}-${container}-httpd`;
  const dir = join(ctx.stateDir, 'dockernet', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), `hello from ${container}\n`);
  return { name, netns, argv: ['busybox', 'httpd', '-f', '-p', '80', '-h', dir], port: 80, owner };
}
