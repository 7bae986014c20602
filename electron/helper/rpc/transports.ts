// The helper's two transports: stdio (a parent process owns us) and a Unix socket in a private directory.
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { NslabError } from '../../shared/errors.js';
import { streamPipe, type StreamPipe } from '../../shared/transport/index.js';
import type { EventBus } from '../events.js';
import { Connection } from './connection.js';
import type { Dispatch } from './dispatcher.js';

/** A connected socket as a message pipe: the one adapter the helper, the CLI and the relays use. */
export function socketStreamPipe(socket: Socket, maxBytes?: number): StreamPipe {
  const pipe = streamPipe({ source: socket, write: (text) => corkedWrite(socket, text), release: () => void socket.end(), ...(maxBytes ? { maxBytes } : {}) });
  socket.on('error', () => socket.destroy());
  socket.once('close', () => pipe.ended('the socket closed'));
  return pipe;
}

/**
 * Messages written in one turn of the event loop leave in one write: a container build reports dozens of
 * changes from synchronous steps (cgroupfs writes), one system call each otherwise.
 */
function corkedWrite(socket: Socket, text: string): void {
  if (!socket.writableCorked) {
    socket.cork();
    process.nextTick(() => socket.uncork());
  }
  socket.write(text);
}

export function serveStdio(dispatch: Dispatch, bus: EventBus, input = process.stdin, output = process.stdout): Connection {
  const pipe = streamPipe({ source: input, write: (text) => void output.write(text) });
  input.once('end', () => pipe.ended('stdin ended'));
  return new Connection(pipe, dispatch, bus);
}

/** Creates the socket's directory 0700 (refusing one someone else owns) and the socket 0600. */
export async function serveSocket(path: string, dispatch: Dispatch, bus: EventBus): Promise<Server> {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.isSymbolicLink()) throw new NslabError('permission-denied', `${dir} is not a private directory`);
  if (st.uid !== process.getuid?.()) throw new NslabError('permission-denied', `${dir} belongs to uid ${st.uid}, not to us`);
  chmodSync(dir, 0o700);
  try {
    unlinkSync(path);
  } catch {
    // no stale socket
  }
  const server = createServer((socket) => new Connection(socketStreamPipe(socket), dispatch, bus));
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  } finally {
    process.umask(oldMask);
  }
  chmodSync(path, 0o600);
  return server;
}
