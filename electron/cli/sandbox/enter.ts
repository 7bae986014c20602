// `nslab exec` / `nslab shell` in sandbox mode: the program still runs in the CLI process's terminal (see
// commands/exec.ts), but inside the background sandbox helper's user, mount and network namespaces, where
// its nodes are. nsenter into our own user namespace needs no privilege: its owner has every capability
// in it (--preserve-credentials: the namespace denies setgroups, and our uid is its root anyway). The helper's private /run (and so /run/netns) is read through /proc/PID/root.
import { readdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { NslabError } from '../../shared/errors.js';
import { runningSandbox } from './background.js';

export interface SandboxEntry {
  /** argv prefix that runs what follows inside the sandbox. */
  prefix: string[];
  /** The sandbox's named network namespaces. */
  netns: string[];
  /**
   * Holds a connection to the sandbox helper while the program runs, so its idle timeout does not stop
   * the sandbox (and end the program with it) under a shell someone is still using. Release it after.
   */
  hold(): () => void;
}

export const enterArgv = (pid: number): string[] => ['nsenter', `--target=${pid}`, '--user', '--mount', '--net', '--preserve-credentials', '--'];

export async function sandboxEntry(): Promise<SandboxEntry> {
  const running = await runningSandbox();
  if (!running) throw new NslabError('not-found', 'no sandbox helper is running, so there are no nodes yet: build a topology first (e.g. `nslab topo apply resources/topologies/red-blue.yaml`)', { field: 'node' });
  let netns: string[] = [];
  try {
    netns = (await readdir(`/proc/${running.pid}/root/run/netns`, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new NslabError('permission-denied', `cannot look into the sandbox helper ${running.pid}: ${(err as Error).message}`);
  }
  const hold = (): (() => void) => {
    const socket: Socket = connect(running.socket);
    socket.on('error', () => undefined); // a helper that goes away meanwhile ends the program anyway
    return () => void socket.destroy();
  };
  return { prefix: enterArgv(running.pid), netns, hold };
}
