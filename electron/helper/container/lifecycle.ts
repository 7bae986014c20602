// A container after it was built: its state read from the kernel, programs run inside it, stop and remove.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerInfo } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import type { HelperContext } from '../context.js';
import { cgroupDriverFor } from '../cgroup/service.js';
import type { CgroupDriver } from '../cgroup/driver.js';
import { spawnGated } from '../exec/gated.js';
import { run } from '../exec/run.js';
import { alive, childrenOf, nsInode, releaseGate } from './gate.js';
import { containerEnv, teardown } from './build.js';
import { containerCgroup, containerObject, peerName } from './names.js';
import { NSLAB_SETPRIV } from './rootfs.js';
import { containerDir, listRecords, loadRecord, saveRecord, type ContainerRecord } from './store.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Running while its PID 1 is alive and still in the PID namespace recorded at start (a reused PID is not). */
export const isRunning = (r: ContainerRecord): boolean => r.pid1 !== null && alive(r.pid1) && nsInode(r.pid1, 'pid') === r.pidNs;

export function infoOf(r: ContainerRecord): ContainerInfo {
  const running = isRunning(r);
  return {
    name: r.name, state: running ? 'running' : 'exited', pid: running ? r.pid1 : null, argv: r.argv, rootfs: r.rootfs, hostname: r.hostname,
    netns: r.netns, cgroup: r.cgroup, net: r.net, ip: r.ip, userns: r.userns, capabilities: r.capabilities, readOnly: r.readOnly,
    noNewPrivs: r.noNewPrivs, limits: r.limits, createdAt: r.createdAt, owner: r.owner, exit: r.exit,
  };
}

export function mustLoad(ctx: HelperContext, name: string): ContainerRecord {
  const r = loadRecord(ctx.stateDir, name);
  if (!r) throw new NslabError('not-found', `there is no container ${name} (nslab container ls lists them)`, { field: 'name' });
  return r;
}

function driver(ctx: HelperContext): CgroupDriver {
  const d = cgroupDriverFor(ctx);
  if (!d) throw new NslabError('unsupported-kernel', 'no cgroup hierarchy is mounted');
  return d;
}

export const listContainers = (ctx: HelperContext): ContainerInfo[] => listRecords(ctx.stateDir).map(infoOf);

/** Joins the container's namespaces, then narrows to its capabilities with the setpriv from nslab's tools. */
export function execArgv(r: ContainerRecord, gate: string, argv: string[]): string[] {
  return ['flock', gate, ...enterArgv(r, argv)];
}

/** The same without a start gate: for a terminal, whose launcher joins the cgroup before it forks. */
export function enterArgv(r: ContainerRecord, argv: string[]): string[] {
  return [
    'nsenter', '-t', String(r.pid1), ...(r.userns ? ['-U'] : []), '-m', '-u', '-i', '-n', '-p', '-C', '--',
    ...NSLAB_SETPRIV, `--bounding-set=-all${r.capabilities.map((c) => `,+${c}`).join('')}`, '--inh-caps=-all', ...(r.noNewPrivs ? ['--no-new-privs'] : []), '--',
    ...argv,
  ];
}

export async function execIn(ctx: HelperContext, name: string, argv: string[], timeoutMs: number): Promise<{ exit: { code: number | null; signal: string | null }; stdout: string; stderr: string }> {
  const r = mustLoad(ctx, name);
  if (!isRunning(r)) throw new NslabError('busy', `container ${name} is not running (it exited${r.exit ? ` with ${r.exit.signal ?? `code ${r.exit.code}`}` : ''}): nothing to exec into`, { field: 'name' });
  const drv = driver(ctx);
  const tmp = mkdtempSync(join(containerDir(ctx.stateDir, name), 'exec-'));
  const gate = join(tmp, 'gate');
  try {
    await run(['mkfifo', '-m', '0600', gate], { change: true });
    const proc = spawnGated(execArgv(r, gate, argv), { env: containerEnv(r.hostname) });
    drv.attach(containerCgroup(name), proc.pid); // counted, limited and killed with the container
    await releaseGate(gate);
    const timer = setTimeout(() => {
      for (const pid of [proc.pid, ...childrenOf(proc.pid)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }, timeoutMs);
    const exit = await proc.exited.finally(() => clearTimeout(timer));
    return { exit, ...proc.output() };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** SIGTERM to the program (PID 2: PID 1 is flock, which ignores it), then SIGKILL to the cgroup. */
export async function stopContainer(ctx: HelperContext, name: string, graceMs: number): Promise<ContainerInfo> {
  const r = mustLoad(ctx, name);
  const drv = driver(ctx);
  if (isRunning(r)) {
    for (const pid of childrenOf(r.pid1!)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone
      }
    }
    const end = Date.now() + graceMs;
    while (isRunning(r) && Date.now() < end) await sleep(20);
    if (isRunning(r)) drv.kill(containerCgroup(name));
    for (let i = 0; isRunning(r) && i < 250; i++) await sleep(20);
  }
  r.exit ??= { code: null, signal: 'SIGTERM' };
  saveRecord(ctx.stateDir, r);
  return infoOf(r);
}

export async function removeContainer(ctx: HelperContext, name: string, force: boolean): Promise<{ removed: string }> {
  const r = mustLoad(ctx, name);
  if (isRunning(r) && !force) throw new NslabError('busy', `container ${name} is running: stop it first or remove with force`, { field: 'name' });
  await teardown(ctx, driver(ctx), r);
  forget(ctx, r);
  return { removed: containerObject(name, r.owner).name };
}

/**
 * Drops the ledger records of a removed container (its cgroup's went with the cgroup; a named network
 * namespace's, when the build dropped the name).
 */
export function forget(ctx: HelperContext, r: ContainerRecord): void {
  ctx.ledger.removed(ctx.ledger.objects((o) => (o.kind === 'container' && o.name === r.name) || (o.kind === 'link' && o.name === peerName(r.name) && o.netns === r.peer?.netns)));
}

/** Reads how the program ended and what the kernel counted, then forgets the gate process. */
export function recordExit(ctx: HelperContext, r: ContainerRecord, exit: { code: number | null; signal: string | null }): void {
  r.exit = exit;
  r.pid1 = null;
  saveRecord(ctx.stateDir, r);
}
