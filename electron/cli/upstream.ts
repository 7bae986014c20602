// How the CLI and `nslab serve` reach the helper, as message pipes for the shared JSON-RPC peer: a socket
// connection to the running helper, or a Connection on a helper core opened in this process. Both are the
// same link to the caller (no faked CallContext): the same dispatch, subscriptions and notifications.
import { connect as netConnect, type Server } from 'node:net';
import { join } from 'node:path';
import { stopSpawner, useSpawner } from '../helper/exec/spawner.js';
import { defaultStateDir, lockPathOf, openCore, type HelperCore } from '../helper/core.js';
import { readLock } from '../helper/ledger/lock.js';
import { Connection } from '../helper/rpc/connection.js';
import { serveSocket, socketStreamPipe } from '../helper/rpc/transports.js';
import { NslabError } from '../shared/errors.js';
import { pipePair, type MessagePipe } from '../shared/transport/index.js';
import { ensureSandbox } from './sandbox/background.js';
import { currentMode, type HelperMode } from './sandbox/mode.js';

export interface HelperLink {
  /** `socket <path>` or `in-process`, for the start-up line. */
  describe(): string;
  /** The mode this link was chosen for (what the helper's hello says, unless NSLAB_SOCKET names another). */
  mode: HelperMode;
  connect(): Promise<MessagePipe>;
  close(): Promise<void>;
}

/** A connection to the helper listening on `path`; `maxBytes` lifts the line cap for a client reading results. */
export function socketPipe(path: string, maxBytes?: number): Promise<MessagePipe> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(path);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socketStreamPipe(socket, maxBytes));
    });
  });
}

/** A fresh client connection on a core in this process. */
export function corePipe(core: HelperCore): MessagePipe {
  const [client, helper] = pipePair();
  new Connection(helper, core.dispatch, core.ctx.bus);
  return client;
}

/**
 * The one "find the running helper" routine: the socket NSLAB_SOCKET names (which must answer), else the
 * one announced in the ledger lock if it answers, else none (the caller opens a core in this process).
 */
export async function findRunningHelper(stateDir = defaultStateDir(), maxBytes?: number): Promise<{ path: string; pipe: MessagePipe; mode?: HelperMode } | null> {
  const explicit = process.env.NSLAB_SOCKET;
  const lock = readLock(lockPathOf(stateDir));
  const path = explicit ?? lock?.socket;
  if (!path) return null;
  // The lock says which mode its helper is in; a socket named by NSLAB_SOCKET alone does not.
  const mode = lock?.socket === path ? lock.mode : undefined;
  try {
    return { path, pipe: await socketPipe(path, maxBytes), ...(mode ? { mode } : {}) };
  } catch (err) {
    if (explicit) throw new NslabError('not-found', `no helper answers on ${explicit}: ${(err as Error).message}`);
    return null;
  }
}

/**
 * For relays: in sandbox mode the background sandbox helper (started now if need be, and again if it has
 * stopped since); in host mode the running helper if one answers, else the core in this process (also
 * served on the socket).
 */
export async function openHelperLink(): Promise<HelperLink> {
  const mode = currentMode();
  if (mode === 'sandbox' && !process.env.NSLAB_SOCKET) return sandboxLink();
  const stateDir = defaultStateDir();
  const running = await findRunningHelper(stateDir);
  if (!running) return inProcessLink(stateDir);
  running.pipe.close();
  return socketLink(running.path, stateDir);
}

async function sandboxLink(): Promise<HelperLink> {
  let helper = await ensureSandbox();
  return {
    mode: 'sandbox',
    describe: () => `sandbox helper ${helper.pid} on ${helper.socket} (${helper.started ? 'started now' : 'already running'}; \`nslab helper stop\` stops it)`,
    async connect() {
      try {
        return await socketPipe(helper.socket);
      } catch {
        // It stopped (idle, or `nslab helper stop`): start a fresh one.
        helper = await ensureSandbox();
        return socketPipe(helper.socket);
      }
    },
    close: async () => undefined, // it runs on for later commands
  };
}

function socketLink(path: string, stateDir: string): HelperLink {
  let fallback: HelperLink | null = null;
  return {
    mode: 'host',
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
  // A relay's core lives as long as the relay: like `nslab helper`, it starts its programs from a small
  // process of its own (exec/spawner.ts). A cold start's snapshot of 51 namespaces spent ~280 ms of this
  // thread forking, while the page's assets waited to be served.
  useSpawner();
  const core = await openCore({ stateDir, socket });
  let server: Server;
  try {
    server = await serveSocket(socket, core.dispatch, core.ctx.bus);
  } catch (err) {
    core.close();
    throw err;
  }
  return {
    mode: core.ctx.mode,
    describe: () => `helper core in this process (also on ${socket})`,
    connect: async () => corePipe(core),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        core.close();
        stopSpawner();
      }),
  };
}
