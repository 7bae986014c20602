// Helper connections for the relays, as message pipes: a new socket connection to a running helper per
// client, or (when none runs) a Connection on the helper core opened in this process. The core then also
// listens on the helper socket, so `nslab` in another terminal talks to it instead of waiting for its lock.
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import type { Server } from 'node:net';
import { defaultStateDir, lockPathOf, openCore, type HelperCore } from '../helper/core.js';
import { readLock } from '../helper/ledger/lock.js';
import { Connection } from '../helper/rpc/connection.js';
import { LineFramer } from '../shared/framing.js';
import { serveSocket } from '../helper/rpc/transports.js';
import { NslabError } from '../shared/errors.js';
import type { MessagePipe } from '../shared/relay.js';

export interface HelperLink {
  /** `socket <path>` or `in-process`, for the start-up line. */
  describe(): string;
  connect(): Promise<MessagePipe>;
  close(): Promise<void>;
}

export function socketPipe(path: string): Promise<MessagePipe> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(path);
    const framer = new LineFramer();
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({
        send: (m) => void socket.write(`${JSON.stringify(m)}\n`),
        start(onMessage, onClose) {
          socket.on('data', (chunk: Buffer) => {
            for (const frame of framer.push(chunk)) {
              if (frame.kind !== 'line') continue;
              try {
                onMessage(JSON.parse(frame.text));
              } catch {
                // a helper never sends malformed JSON; if one did, the line is dropped, not the client
              }
            }
          });
          socket.on('error', () => socket.destroy());
          socket.once('close', () => onClose('the helper socket closed'));
        },
        close: () => void socket.destroy(),
      });
    });
  });
}

export function corePipe(core: HelperCore): MessagePipe {
  let deliver: (m: unknown) => void = () => undefined;
  let closed: (reason: string) => void = () => undefined;
  const connection = new Connection({ write: (line) => deliver(JSON.parse(line)), message: (m) => deliver(m) }, core.dispatch, core.ctx.bus);
  return {
    send: (m) => connection.receive(Buffer.from(`${JSON.stringify(m)}\n`)),
    start(onMessage, onClose) {
      deliver = onMessage;
      closed = onClose;
    },
    close() {
      connection.close();
      closed('closed');
    },
  };
}

/** The running helper if one is announced (or NSLAB_SOCKET names one), else the core in this process. */
export async function openHelperLink(): Promise<HelperLink> {
  const stateDir = defaultStateDir();
  const explicit = process.env.NSLAB_SOCKET;
  const announced = explicit ?? readLock(lockPathOf(stateDir))?.socket;
  if (announced) {
    try {
      (await socketPipe(announced)).close();
      return socketLink(announced, stateDir);
    } catch (err) {
      if (explicit) throw new NslabError('not-found', `no helper answers on ${explicit}: ${(err as Error).message}`);
    }
  }
  return inProcessLink(stateDir);
}

function socketLink(path: string, stateDir: string): HelperLink {
  let fallback: HelperLink | null = null;
  return {
    describe: () => fallback?.describe() ?? `helper socket ${path}`,
    async connect() {
      if (fallback) return fallback.connect();
      try {
        return await socketPipe(path);
      } catch (err) {
        // The helper went away and nobody holds the ledger: carry on with our own core.
        if (process.env.NSLAB_SOCKET || readLock(lockPathOf(stateDir))) throw new NslabError('not-found', `the helper at ${path} is gone: ${(err as Error).message}`);
        fallback = await inProcessLink(stateDir);
        return fallback.connect();
      }
    },
    close: async () => fallback?.close(),
  };
}

async function inProcessLink(stateDir: string): Promise<HelperLink> {
  const socket = join(stateDir, 'helper.sock');
  const core = await openCore({ stateDir, socket });
  let server: Server;
  try {
    server = await serveSocket(socket, core.dispatch, core.ctx.bus);
  } catch (err) {
    core.close();
    throw err;
  }
  return {
    describe: () => `helper core in this process (also on ${socket})`,
    connect: async () => corePipe(core),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        core.close();
      }),
  };
}
