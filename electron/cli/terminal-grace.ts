// `--terminal-grace <duration>` of `nslab serve` and `nslab helper`: how long a terminal keeps running after
// its last client left, told to the helper through pty.config like any client would (it remembers it).
import { PTY_GRACE } from '../shared/contract/index.js';
import { formatDuration, parseDuration } from '../shared/duration.js';
import { RpcPeer, type MessagePipe } from '../shared/transport/index.js';

export const GRACE_OPTION = ['--terminal-grace <duration>', `how long a terminal keeps running after its last window closed, e.g. 90s, 10m, 2h (default ${formatDuration(PTY_GRACE.defaultMs)})`] as const;

export const parseGrace = (text: string | undefined): number | undefined => (text === undefined ? undefined : parseDuration(text, '--terminal-grace', PTY_GRACE.maxMs));

export async function configureTerminals(connect: () => Promise<MessagePipe>, graceMs: number): Promise<void> {
  const peer = new RpcPeer(await connect());
  try {
    await peer.request('pty.config', { graceMs });
  } finally {
    peer.close();
  }
}
