// Builds and starts a container by hand, one kernel step at a time, each step an argv the activity log
// shows and the exported script repeats:
//   gate → cgroup → unshare (mount, uts, ipc, net, pid, cgroup [, user]) → veth → overlay rootfs → /proc,
//   /sys → hostname → pivot_root → old root unmounted → the program starts as PID 2 under `flock` (PID 1).
// A container on a node's network without a user namespace has a named network namespace instead, made
// with its veth and addresses while the cgroup is made (as dockerd makes a sandbox before the container's
// process exists); the chain joins it (`nsenter --net`), and its name is deleted once PID 1 holds it.
// Either way the namespace ends with the container's last process, and the kernel deletes its veth pair.
// The steps inside the container run in one staged process (staged.ts), its gates' FIFOs are made ahead
// (spare-gates.ts): fewer spawns, the same commands logged and scripted one by one.
// A failure at any step undoes what was made; a kill -9 leaves only ledger-recorded objects for gc.
import { closeSync, constants, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupPath } from '../../shared/cgroup/names.js';
import { formatIdMap } from '../../shared/container/idmap.js';
import type { ContainerRunParams, LedgerObject } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { shellLine, shellQuote } from '../../shared/shell.js';
import { awaitedLater } from '../concurrency.js';
import type { HelperContext } from '../context.js';
import { cgroupDriverFor } from '../cgroup/service.js';
import { cgroupObject } from '../cgroup/driver.js';
import type { CgroupDriver } from '../cgroup/driver.js';
import { spawnTracked } from '../exec/attached.js';
import { spawnGated, type GatedProcess } from '../exec/gated.js';
import { hasProgram } from '../exec/on-path.js';
import { classifyStderr, reportActivity, run } from '../exec/run.js';
import { ipBatch } from '../net/ip.js';
import { killGate, nsInode, releaseGate, waitDescendant, waitExe } from './gate.js';
import { placeGates } from './spare-gates.js';
import { fstabLine, mountArgv, type FstabEntry } from './fstab.js';
import { STAGED_DONE, detachOps, hostnameOps, mountOps, pivotRootOps, programOps, stagedArgv, stagedLines, stagedPerlArgv, type StagedStep } from './staged.js';
import { containerCgroup, containerNetns, containerObject, peerName } from './names.js';
import { resolveRun } from './resolve.js';
import { NSLAB_BUSYBOX, NSLAB_TOOLS } from './rootfs.js';
import { containerDir, discardContainerDir, saveRecord, type ContainerRecord } from './store.js';

export interface Running {
  record: ContainerRecord;
  proc: GatedProcess;
  startMs: number;
}

/** The line a person would type, with the container's PIDs as shell variables. */
function scriptLine(argv: readonly string[], vars: Record<string, number | null>): string {
  return argv
    .map((w) => {
      for (const [name, pid] of Object.entries(vars)) {
        if (pid === null) continue;
        if (w === String(pid)) return `"$${name}"`;
        if (w.includes(`/proc/${pid}/`)) return `"${w.replace(`/proc/${pid}/`, `/proc/$${name}/`)}"`;
      }
      return shellQuote(w);
    })
    .join(' ');
}

export async function buildContainer(ctx: HelperContext, p: ContainerRunParams): Promise<Running> {
  if (ctx.mode === 'sandbox') throw new NslabError('permission-denied', 'containers need the host helper (root): in sandbox mode cgroups are read-only');
  const drv = cgroupDriverFor(ctx);
  if (!drv) throw new NslabError('unsupported-kernel', 'no cgroup hierarchy is mounted');
  const started = performance.now();
  const r = await resolveRun(ctx, p, drv);
  const dir = containerDir(ctx.stateDir, r.name);
  const owner = p.owner === 'manual' ? `container:${r.name}` : p.owner;
  const peer = r.node ? { netns: r.node.netns, name: peerName(r.name) } : null;
  // a user-namespaced container makes its own (owned by its user namespace, so its root administers it)
  const ownNetns = peer && !r.uidMap ? containerNetns(r.name) : null;
  const objects: LedgerObject[] = [
    containerObject(r.name, owner),
    ...(ownNetns ? [{ kind: 'netns' as const, netns: null, name: ownNetns, owner }] : []),
    ...(peer ? [{ kind: 'link' as const, netns: peer.netns, name: peer.name, owner }] : []),
  ];
  // the cgroup is in the container's transaction (one intent, one done), removed by the driver with the group
  const group = cgroupObject(containerCgroup(r.name), owner);
  const commands: string[] = [];
  const vars: Record<string, number | null> = { PID1: null, USERNS: null };
  const step = async (argv: string[], opts: { input?: string } = {}): Promise<void> => {
    commands.push(scriptLine(argv, vars));
    await run(argv, { change: true, ...opts });
  };
  /** The container-side steps in one staged process (staged.ts), each shown and scripted as its own line. */
  const staged = async (pid1: number, steps: StagedStep[]): Promise<void> => {
    const lines = stagedLines(pid1, steps);
    commands.push(...lines.map((l) => scriptLine(l, vars)));
    const argv = stagedPerlArgv(pid1, steps, hasProgram('perl')) ?? stagedArgv(pid1, dir, steps);
    const shell = lines.map((l) => shellLine(l));
    const out = await run(argv, { shell }).catch((err: unknown) => {
      reportActivity({ at: new Date().toISOString(), argv, shell, ok: false, ms: 0, error: { code: (err as NslabError).code ?? 'internal', message: (err as Error).message } });
      throw err;
    });
    const ok = out.stdout.trim() === STAGED_DONE;
    const failure = ok ? null : new NslabError(classifyStderr(out.stderr), out.stderr.split('\n').find((l) => l.trim()) ?? 'a container build step failed', { command: shell.join('\n') });
    reportActivity({ at: new Date().toISOString(), argv, shell, ok, ms: out.ms, ...(failure ? { error: { code: failure.code, message: failure.message } } : {}) });
    if (failure) throw failure;
  };
  const note = (line: string): void => void commands.push(line);
  const writeProc = (path: string, value: string): void => {
    writeFileSync(path, value);
    const shell = `echo ${shellQuote(value.trim())} > ${path}`;
    reportActivity({ at: new Date().toISOString(), argv: ['sh', '-c', shell], shell: [shell], ok: true, ms: 0 });
    commands.push(scriptLine(['echo', value.trim()], {}) + ' > ' + scriptLine([path], vars));
  };

  /** One `ip -batch` of these lines (net/ip.ts), in a namespace or the helper's own, each scripted as its own command. */
  const batch = async (netns: string | null, lines: string[][]): Promise<void> => {
    commands.push(...lines.map((l) => scriptLine(['ip', ...(netns ? ['-n', netns] : []), ...l], vars)));
    await ipBatch(netns, lines);
  };
  /** The named namespace and the veth pair between it and the node (one batch), then each end set up. */
  const makeNetwork = async (netns: string, end: { netns: string; name: string }, bridge: string | null, lines: string[][]): Promise<void> => {
    await batch(null, [['netns', 'add', netns], ['link', 'add', end.name, 'netns', end.netns, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]]);
    await r.bridgeChecked;
    await Promise.all([step(['ip', '-n', end.netns, 'link', 'set', end.name, ...(bridge ? ['master', bridge] : []), 'up']), batch(netns, lines)]);
  };

  /** The name of a namespace the container's processes hold: not needed to keep it (`ip netns del` drops only the name). */
  const dropName = async (netns: string): Promise<void> => {
    await step(['ip', 'netns', 'del', netns]);
    record.ownNetns = null;
    ctx.ledger.removed(objects.filter((o) => o.kind === 'netns'));
  };

  const record: ContainerRecord = {
    name: r.name, argv: p.argv, rootfs: r.rootfsLabel, hostname: r.hostname, netns: 'private', cgroup: cgroupPath(containerCgroup(r.name)),
    net: p.net, ip: p.ip ?? null, userns: r.uidMap ? { uidMap: r.uidMap, gidMap: r.gidMap! } : null, capabilities: r.caps, readOnly: p.readOnly,
    noNewPrivs: p.noNewPrivs, limits: p.limits as Record<string, unknown>, createdAt: new Date().toISOString(), owner, exit: null,
    pid1: null, pidNs: null, gatePid: null, peer, ownNetns, commands, uidMap: r.uidMap, gidMap: r.gidMap,
  };
  const tx = ctx.ledger.begin([...objects, group]);
  let anchor: ReturnType<typeof spawnTracked> | null = null;
  let gateFd: number | null = null;
  let cgroupMade = false;
  /** A step still running when another failed: undone only once it has ended. */
  let making: Promise<unknown> = Promise.resolve();
  try {
    const root = join(dir, 'root');
    for (const d of ['upper', 'work', 'root']) mkdirSync(join(dir, d), { recursive: true, mode: 0o700 });
    saveRecord(ctx.stateDir, record);
    const gateStart = join(dir, 'gate-start');
    const gateRun = join(dir, 'gate-run');
    note(`DIR=${shellQuote(dir)}   # the container's upper/work layers, mount point and start gates`);
    // 0666: the run gate is opened through the fd nslab passes down, as a user-namespaced PID 1 (it cannot
    // walk nslab's 0700 state directory, so nobody else reaches either FIFO by its path).
    // a pair made ahead, or mkfifo while the cgroup's directories and limits are written (synchronously)
    commands.push(scriptLine(['mkfifo', '-m', '0666', gateStart, gateRun], vars));
    const fifos = awaitedLater(placeGates(ctx.stateDir, gateStart, gateRun)); // once cgroupMade says what to undo
    const inside: string[][] = [['link', 'set', 'lo', 'up']];
    if (peer) inside.push(['link', 'set', 'eth0', 'up'], ...(p.ip ? [['addr', 'add', p.ip, 'dev', 'eth0']] : []), ...(p.gateway ? [['route', 'add', 'default', 'via', p.gateway]] : []));
    // the named namespace, its veth and addresses, while the cgroup is made and the chain waits at its gate
    const network = ownNetns && peer ? awaitedLater(makeNetwork(ownNetns, peer, r.node!.bridge, inside)) : null;
    if (network) making = network;
    const made = await drv.create(containerCgroup(r.name), p.limits, owner, { tx });
    cgroupMade = true;
    await fifos;
    for (const d of made.dirs) note(`mkdir -p ${d}`);
    for (const w of made.writes) note(`echo ${shellQuote(w.value)} > ${w.file}`);

    if (r.uidMap && r.gidMap) {
      // The parent writes the maps, in the kernel's order: setgroups deny before gid_map, then uid_map.
      // Bounded and in the container's cgroup: a helper killed now leaves nothing that outlives gc.
      anchor = spawnTracked(['unshare', '--user', '--', 'sleep', '60']);
      drv.attach(containerCgroup(r.name), anchor.pid);
      note('unshare --user -- sleep 60 & USERNS=$!   # holds the new user namespace while its maps are written');
      const own = nsInode('self', 'user');
      for (let i = 0; nsInode(anchor.pid, 'user') === own || nsInode(anchor.pid, 'user') === null; i++) {
        if (i > 5000) throw new NslabError('timeout', 'the user namespace did not appear');
        await new Promise((res) => setTimeout(res, 1));
      }
      vars.USERNS = anchor.pid;
      writeProc(`/proc/${anchor.pid}/setgroups`, 'deny\n');
      writeProc(`/proc/${anchor.pid}/gid_map`, formatIdMap(r.gidMap));
      writeProc(`/proc/${anchor.pid}/uid_map`, formatIdMap(r.uidMap));
      const hostRoot = r.uidMap.find((l) => l.inside === 0)?.outside;
      if (hostRoot !== undefined) {
        // the upper layer belongs to the container's root, so it can write its own files
        await step(['chown', `${hostRoot}:${r.gidMap.find((l) => l.inside === 0)?.outside ?? hostRoot}`, join(dir, 'upper')]);
      }
    }

    const chain = [
      'flock', gateStart,
      ...(anchor ? ['nsenter', `--user=/proc/${anchor.pid}/ns/user`, '--'] : []),
      ...(ownNetns ? ['nsenter', `--net=/run/netns/${ownNetns}`, '--'] : []),
      'unshare', '--mount', '--uts', '--ipc', ...(ownNetns ? [] : ['--net']), '--pid', '--cgroup', '--fork', '--kill-child', '--propagation', 'private', '--',
      'setpriv', `--bounding-set=-all${r.caps.map((c) => `,+${c}`).join('')}`, '--inh-caps=-all', ...(p.noNewPrivs ? ['--no-new-privs'] : []), '--',
      'flock', '/proc/self/fd/3', ...p.argv,
    ];
    gateFd = openSync(gateRun, constants.O_RDONLY | constants.O_NONBLOCK);
    const logFd = p.detach ? openSync(join(dir, 'log'), 'a', 0o600) : undefined;
    const proc = spawnGated(chain, { env: containerEnv(r.hostname), fds: [gateFd], ...(logFd !== undefined ? { logFd } : {}), detached: p.detach, shell: [`${shellLine(chain)} 3<${gateRun} &`] });
    // A script runs as root with a traversable $DIR, so PID 1 may open the gate by its path.
    commands.push(`${scriptLine(chain.map((w) => (w === '/proc/self/fd/3' ? gateRun : w)), vars)} & GATE=$!`);
    if (logFd !== undefined) closeSync(logFd);
    closeSync(gateFd);
    gateFd = null;
    // kept in memory until the record is saved whole (a gc finds an unfinished chain by its command line)
    record.gatePid = proc.pid;
    // off the event loop: the attach waits on the kernel while the network's steps go on
    await drv.attachLater(containerCgroup(r.name), proc.pid);
    for (const f of drv.backend.procsFiles(containerCgroup(r.name))) note(`echo "$GATE" > ${f}`);
    await network; // the chain's nsenter joins it once the gate opens
    await releaseGate(gateStart);
    note(': > "$DIR/gate-start"   # the chain runs on: unshare, then PID 1 waits at the second gate');
    const pid1 = await waitDescendant(proc.pid, 2);
    vars.PID1 = pid1;
    note('sleep 0.1; PID1=$(cat /proc/$(cat /proc/$GATE/task/$GATE/children)/task/*/children)');
    await r.bridgeChecked;
    // A user-namespaced container's network namespace is unshare's (owned by its user namespace): one `ip`
    // in the node's namespace makes the pair, puts the node's end on the bridge and brings it up;
    // the container's end lands in PID 1's network namespace as eth0 (brought up from inside: a veth end
    // cannot be opened before its pair is tied, ENOTCONN). PID 1 has that namespace from its fork on
    // (unshare made it before forking), so the pair is made while PID 1 still execs its way to its gate.
    const veth = awaitedLater(peer && !ownNetns ? step(['ip', '-n', peer.netns, 'link', 'add', peer.name, ...(r.node!.bridge ? ['master', r.node!.bridge] : []), 'up', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(pid1)]) : Promise.resolve());
    making = veth;
    // unshare makes the mounts private after it forks: nothing may be mounted before PID 1 reached its gate
    await waitExe(pid1, 'flock');
    record.pid1 = pid1;
    record.pidNs = nsInode(pid1, 'pid');
    anchor?.kill(); // the container's processes hold the user namespace now
    await veth;

    // The rest inside, in order: the rootfs and what is mounted on it (one `mount -a` over the container's
    // own fstab: each later target lies in the overlay), the hostname, the links (one `ip -batch`), then
    // pivot_root and the old root unmounted (by the tools' busybox: the host's programs are gone then).
    const lower = r.rootfsLower.join(':');
    const mounts: FstabEntry[] = [
      { source: 'nslab-rootfs', target: root, type: 'overlay', options: `${p.readOnly ? 'ro,' : ''}lowerdir=${lower},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`, flags: ['-m'] },
      { source: r.tools, target: `${root}${NSLAB_TOOLS}`, type: 'none', options: 'bind,ro', flags: ['-m'] },
      { source: 'proc', target: `${root}/proc`, type: 'proc', options: 'nosuid,nodev,noexec', flags: ['-m', '-p'] },
      { source: 'sysfs', target: `${root}/sys`, type: 'sysfs', options: 'ro,nosuid,nodev,noexec', flags: ['-m', '-n'] },
    ];
    writeFileSync(join(dir, 'fstab'), mounts.map(fstabLine).join(''), { mode: 0o600 });
    if (!ownNetns) writeFileSync(join(dir, 'ip-batch'), inside.map((l) => l.join(' ')).join('\n') + '\n', { mode: 0o600 });
    const ipBatch = ['ip', '-batch', join(dir, 'ip-batch')];
    await staged(pid1, [
      { argv: ['mount', '-a', '-T', join(dir, 'fstab')], ops: mounts.flatMap(mountOps), stands: mounts.map((m) => ({ flags: m.flags, argv: mountArgv(m) })) },
      { argv: ['hostname', r.hostname], ops: hostnameOps(r.hostname), stands: [{ flags: ['-u'], argv: ['hostname', r.hostname] }] },
      ...(ownNetns ? [] : [{ argv: ipBatch, ops: programOps(ipBatch), stands: inside.map((l) => ({ flags: ['-n'], argv: ['ip', ...l] })) }]),
      { argv: ['pivot_root', root, `${root}/.oldroot`], ops: pivotRootOps(root, `${root}/.oldroot`), stands: [{ flags: ['-m'], argv: ['pivot_root', root, `${root}/.oldroot`] }] },
      { argv: [NSLAB_BUSYBOX, 'umount', '-l', '/.oldroot'], ops: detachOps('/.oldroot'), stands: [{ flags: ['-m'], argv: [NSLAB_BUSYBOX, 'umount', '-l', '/.oldroot'] }] },
    ]);
    await releaseGate(gateRun);
    note(': > "$DIR/gate-run"   # PID 1 (flock) starts the program');
    // while the program starts: its unmount would queue behind the container's own mounts
    if (ownNetns) await dropName(ownNetns);
    ctx.ledger.commit(tx);
    saveRecord(ctx.stateDir, record);
    if (p.detach) proc.unref();
    return { record, proc, startMs: Math.round(performance.now() - started) };
  } catch (err) {
    if (gateFd !== null) closeSync(gateFd);
    anchor?.kill();
    await making.catch(() => undefined);
    await teardown(ctx, drv, record, cgroupMade).catch(() => undefined); // what cannot go now is left to gc
    // the group's record stays while the group does (gc removes it); gone or never made, it goes with the rest
    ctx.ledger.removed(drv.backend.exists(containerCgroup(r.name)) ? objects : [...objects, group], tx);
    throw err;
  }
}

/** Kills everything in the container's cgroup and removes what was built for it. */
export async function teardown(ctx: HelperContext, drv: CgroupDriver, record: ContainerRecord, withCgroup = true): Promise<void> {
  killGate(record.gatePid, containerDir(ctx.stateDir, record.name));
  // side by side: a name's deletion is a spawn (asked for first), the cgroup's removal waits on the kernel
  await Promise.all([
    // a build that failed before PID 1 held its network namespace: its name keeps it (and its veth)
    record.ownNetns ? run(['ip', 'netns', 'del', record.ownNetns], { change: true, allowFailure: true }) : undefined,
    withCgroup && drv.backend.exists(containerCgroup(record.name)) ? drv.remove(containerCgroup(record.name), true) : undefined,
  ]);
  discardContainerDir(ctx.stateDir, record.name);
}

/** What a container's programs see in their environment: not the helper's. */
export const containerEnv = (hostname: string): Record<string, string> => ({
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  HOSTNAME: hostname,
  TERM: 'xterm',
  LC_ALL: 'C',
});
