// Long-lived programs a dockernet runs inside its nodes (docker-proxy per published port, busybox httpd
// in a container): recorded in the ledger (kind `process`) before they start, daemons (they outlive a CLI
// call), found again by their marker — a word of their argv that is the record's name (or a
// path ending in it) — and killed by `down` and gc. A pid alone is never trusted: it may have been reused.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerObject } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { shellLine } from '../../shared/shell.js';
import type { HelperContext } from '../context.js';
import { hasProgram } from '../exec/on-path.js';
import { run } from '../exec/run.js';
import type { KindDriver } from '../ledger/kinds.js';
import { listProcesses } from '../procfs.js';
import { proxyProgramFile } from './proxy-program.js';

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

/** A daemon's first process has this long to listen and exit. */
const START_MS = 3000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface ManagedProcess {
  /** The marker and ledger name. */
  name: string;
  netns: string;
  /** A program that daemonizes itself once it listens: its first process exits 0 then (or fails with why). */
  argv: string[];
  owner: string;
  /** The activity log's equivalent command, when it is not the argv itself (docker-proxy's own flags). */
  shell?: string;
}

/**
 * Starts it unless it already runs (a re-up); the ledger knows it before it exists. The start is a run to
 * completion: the program's first process exits once its port listens, leaving the daemon behind (in a
 * session of its own, from `setsid`, so no terminal signal of the helper's reaches it).
 */
export async function startProcess(ctx: HelperContext, p: ManagedProcess): Promise<void> {
  const object: LedgerObject = { kind: 'process', netns: p.netns, name: p.name, owner: p.owner };
  // Only a record the ledger knows can be running already (a re-up): a fresh one needs no scan of every
  // process's cmdline, which on a busy machine is tens of milliseconds of blocking reads.
  if (ctx.ledger.has(object) && (pidsOf(new Set([p.name])).get(p.name) ?? []).length > 0) return;
  const tx = ctx.ledger.begin([object]);
  // the network namespace is all it needs: no mount namespace and /sys of its own, as `ip netns exec` makes
  const argv = ['nsenter', `--net=/run/netns/${p.netns}`, '--', 'setsid', ...p.argv];
  try {
    await run(argv, { change: true, timeoutMs: START_MS, shell: [p.shell ?? shellLine(['ip', 'netns', 'exec', p.netns, ...p.argv])] });
  } catch (err) {
    killNamed(new Set([p.name]));
    ctx.ledger.removed([object], tx);
    throw err;
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
  return { name, netns, argv, owner, shell: `${proxyShell(netns, hostPort, containerIp, containerPort)} &` };
}

const proxyFlags = (hostPort: number, containerIp: string, containerPort: number): string[] =>
  ['-proto', 'tcp', '-host-ip', '0.0.0.0', '-host-port', String(hostPort), '-container-ip', containerIp, '-container-port', String(containerPort)];

/** The command dockerd would run for the port (what the activity log and a lab's script show). */
export const proxyShell = (netns: string, hostPort: number, containerIp: string, containerPort: number): string =>
  shellLine(['ip', 'netns', 'exec', netns, 'docker-proxy', ...proxyFlags(hostPort, containerIp, containerPort)]);

/** `busybox httpd -p 80` in a container, serving one page that names it (it daemonizes once it listens). */
export function httpdProcess(ctx: HelperContext, dockernet: string, container: string, netns: string, owner: string): ManagedProcess {
  const name = `nslab-${dockernet}-${container}-httpd`;
  const dir = join(ctx.stateDir, 'dockernet', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), `hello from ${container}\n`);
  return { name, netns, argv: ['busybox', 'httpd', '-p', '80', '-h', dir], owner };
}
