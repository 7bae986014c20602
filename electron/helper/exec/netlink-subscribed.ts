// When a netlink listener (nft monitor trace, conntrack -E) is really listening: once one of its own
// sockets has joined the multicast groups it needs. Until then the kernel drops the events it would have
// sent, so callers wait for this, not for a guessed delay. The socket is found by inode through
// /proc/<pid>/fd, since only a process's first netlink socket has its pid as port id (conntrack -E
// subscribes on its second).
import { readdir, readFile, readlink } from 'node:fs/promises';
import { NslabError } from '../../shared/errors.js';
import type { LineStream } from './lines.js';

export const NETLINK_NETFILTER = 12;
const READY_TIMEOUT_MS = 3000;

async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  await Promise.all(
    fds.map(async (fd) => {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''));
      if (m) inodes.add(m[1]!);
    }),
  );
  return inodes;
}

/** True once the process `pid` holds a socket of netlink `protocol` subscribed to every group in `groups`. */
export async function netlinkSubscribed(pid: number, protocol: number, groups: number): Promise<boolean> {
  let table: string;
  try {
    table = await readFile(`/proc/${pid}/net/netlink`, 'utf8');
  } catch {
    return false;
  }
  const own = await socketInodes(pid);
  // columns: sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
  return table.split('\n').some((row) => {
    const cols = row.trim().split(/\s+/);
    return Number(cols[1]) === protocol && own.has(cols[9] ?? '') && (parseInt(cols[3] ?? '0', 16) & groups) === groups;
  });
}

/**
 * Waits until `stream`'s program has subscribed (see `netlinkSubscribed`). Throws a typed error, after
 * stopping it, when it ends first or does not subscribe within 3 s. `what` names it in the error.
 */
export async function untilSubscribed(stream: LineStream, protocol: number, groups: number, what: string): Promise<void> {
  let exited = false;
  void stream.exited.then(() => (exited = true), () => (exited = true));
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (!(await netlinkSubscribed(stream.pid, protocol, groups))) {
    if (exited) {
      const { stderr } = await stream.exited.catch((e: Error) => ({ stderr: e.message }));
      throw new NslabError('internal', `${what} ended at once: ${stderr.trim() || 'no output'}`, { command: stream.shell });
    }
    if (performance.now() > deadline) {
      stream.stop();
      await stream.exited.catch(() => undefined);
      throw new NslabError('timeout', `${what} did not start listening within ${READY_TIMEOUT_MS} ms`, { command: stream.shell });
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
