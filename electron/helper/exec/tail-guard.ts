// Why node-pty loses the end of a program's output, and the fix.
//
// When the last process holding the pty's slave side exits, Linux marks the master "other side closed".
// A read on the master then returns EIO — or 0 (EOF) — as soon as the line discipline looks empty, even
// if bytes are still queued in the flip buffer between the slave and the master. node-pty treats that
// EIO/EOF as the end and closes its read stream, so those last bytes (measured here: up to ~3 KB in
// 10–20 % of 10 MB runs) are never read. node-pty also destroys the stream 200 ms after the child exits
// whatever happens, which would cut a stream that flow control has paused.
//
// The fix: nslab opens the slave side itself (O_NOCTTY) right after spawning, so the master never sees
// "other side closed" while nslab still wants data. When node-pty then tries to tear the stream down
// (its post-exit timer), the stream is resumed and read until it has been quiet for a moment (the writer
// is gone, so what is left is bounded by the kernel's pty buffer); only then is nslab's slave descriptor
// closed and the stream destroyed.
import { closeSync, constants, openSync } from 'node:fs';
import type { IPty } from '@lydell/node-pty';

const QUIET_MS = 25;
const MAX_DRAIN_MS = 2000;

interface PtyInternals {
  _pty?: string;
  _socket?: { destroy(err?: Error): unknown; resume(): unknown; on(event: 'data', fn: () => void): unknown; off(event: 'data', fn: () => void): unknown };
}

/** Returns false when node-pty's internals are not as expected (then nslab runs without the guard). */
export function guardTail(proc: IPty): boolean {
  const internals = proc as unknown as PtyInternals;
  const socket = internals._socket;
  const slavePath = internals._pty;
  if (!socket || typeof slavePath !== 'string' || typeof socket.destroy !== 'function') return false;
  let slave: number | null;
  try {
    slave = openSync(slavePath, constants.O_RDWR | constants.O_NOCTTY);
  } catch {
    return false;
  }
  const destroy = socket.destroy.bind(socket);
  let draining = false;
  socket.destroy = (err?: Error) => {
    if (slave === null) return destroy(err);
    if (draining) return socket;
    draining = true;
    let last = Date.now();
    const started = last;
    const onData = (): void => void (last = Date.now());
    socket.on('data', onData);
    socket.resume();
    const check = (): void => {
      const now = Date.now();
      if (now - last < QUIET_MS && now - started < MAX_DRAIN_MS) {
        setTimeout(check, QUIET_MS);
        return;
      }
      socket.off('data', onData);
      closeSync(slave!);
      slave = null;
      destroy(err);
    };
    setTimeout(check, QUIET_MS);
    return socket;
  };
  return true;
}
