// One `nft -a monitor trace` per namespace: the kernel delivers trace events only to listeners in the
// packet's own namespace. A listener is ready once its netlink socket has joined the trace group; the
// probe waits for that, not for a guessed delay.
import { NETLINK_NETFILTER, untilSubscribed } from '../../exec/netlink-subscribed.js';
import { spawnLines, type LineStream } from '../../exec/lines.js';
import { parseTraceLine, type TraceLine } from './monitor-parse.js';

/** NFNLGRP_NFTRACE = 9: bit 8 of the groups mask. */
const NFTRACE_GROUP_BIT = 1 << 8;

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

let order = 0;

export async function startTraceListener(netns: string, sink: (line: TimedTraceLine) => void): Promise<TraceListener> {
  const stream = spawnLines(['ip', 'netns', 'exec', netns, 'nft', '-a', 'monitor', 'trace'], (raw) => {
    const line = parseTraceLine(raw);
    if (line) sink({ netns, order: order++, at: performance.now(), line });
  });
  const stop = async (): Promise<void> => {
    stream.stop();
    await stream.exited.catch(() => undefined);
  };
  await untilSubscribed(stream, NETLINK_NETFILTER, NFTRACE_GROUP_BIT, `nft monitor trace in ${netns}`);
  return { netns, stream, stop };
}
