// One `nft -a monitor trace` per namespace: the kernel delivers trace events only to listeners in the
// packet's own namespace. A listener is ready once its netlink socket has joined the trace group, which
// /proc/<pid>/net/netlink shows; the probe waits for that, not for a guessed delay.
import { readFile } from 'node:fs/promises';
import { NslabError } from '../../../shared/errors.js';
import { spawnLines, type LineStream } from '../../exec/lines.js';
import { parseTraceLine, type TraceLine } from './monitor-parse.js';

const NETLINK_NETFILTER = 12;
/** NFNLGRP_NFTRACE = 9: bit 8 of the groups mask. */
const NFTRACE_GROUP_BIT = 1 << 8;
const READY_TIMEOUT_MS = 3000;

export interface TimedTraceLine {
  netns: string;
  /** Arrival order across every listener of this trace. */
  order: number;
  at: number;
  line: TraceLine;
}

export interface TraceListener {
  netns: string;
  stream: LineStream;
  stop(): Promise<void>;
}

/** True once the process `pid` has a netfilter netlink socket subscribed to trace events. */
export async function subscribedToTrace(pid: number): Promise<boolean> {
  let table: string;
  try {
    table = await readFile(`/proc/${pid}/net/netlink`, 'utf8');
  } catch {
    return false;
  }
  return table.split('\n').some((row) => {
    const [, eth, portid, groups] = row.trim().split(/\s+/);
    return Number(eth) === NETLINK_NETFILTER && Number(portid) === pid && (parseInt(groups ?? '0', 16) & NFTRACE_GROUP_BIT) !== 0;
  });
}

let order = 0;

export async function startTraceListener(netns: string, sink: (line: TimedTraceLine) => void): Promise<TraceListener> {
  const stream = spawnLines(['ip', 'netns', 'exec', netns, 'nft', '-a', 'monitor', 'trace'], (raw) => {
    const line = parseTraceLine(raw);
    if (line) sink({ netns, order: order++, at: performance.now(), line });
  });
  let exited = false;
  void stream.exited.then(() => (exited = true), () => (exited = true));
  const stop = async (): Promise<void> => {
    stream.stop();
    await stream.exited.catch(() => undefined);
  };
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (!(await subscribedToTrace(stream.pid))) {
    if (exited) {
      const { stderr } = await stream.exited.catch((e: Error) => ({ stderr: e.message }));
      throw new NslabError('internal', `nft monitor trace in ${netns} ended at once: ${stderr.trim() || 'no output'}`, { command: stream.shell });
    }
    if (performance.now() > deadline) {
      await stop();
      throw new NslabError('timeout', `nft monitor trace in ${netns} did not subscribe to trace events within ${READY_TIMEOUT_MS} ms`, { command: stream.shell });
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { netns, stream, stop };
}
