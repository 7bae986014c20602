// How a streaming command (ct watch, fw watch, top) waits: it listens for its events and arms every way it
// can stop (an `end` event, a count reached, Ctrl-C, SIGTERM, a duration, `q` on a terminal) BEFORE the
// call that starts the stream, and only then makes that call. An event may reach the command before the
// call's reply: the helper may notify first, and when the reply and an event are read in one chunk the
// event is dispatched before the code after `await call(...)` runs. A stop armed only after the reply would
// miss that event and wait forever.
import type { EventName, EventPayload } from '../shared/contract/index.js';
import type { Client } from './client.js';

export interface StreamOptions<E extends EventName> {
  /** One event of the stream; `stop()` ends the wait (it may be called before `start` has answered). */
  onEvent(payload: EventPayload<E>, stop: () => void): void;
  /** The call that starts the stream (subscribe, watch); its failure is the command's, after cleaning up. */
  start(): Promise<unknown>;
  /** Stop on your own after this long. */
  stopAfterMs?: number;
  /** On a terminal stdin: stop on `q` or Ctrl-C typed (raw mode, restored afterwards). */
  quitKeys?: boolean;
}

/** Streams `event` until something stops it; every handler it installed is removed before it returns. */
export async function streamUntilStopped<E extends EventName>(client: Client, event: E, opts: StreamOptions<E>): Promise<void> {
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let active = true;
  client.onEvent((name, payload) => {
    if (active && name === event) opts.onEvent(payload as EventPayload<E>, stop);
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = opts.stopAfterMs !== undefined ? setTimeout(stop, opts.stopAfterMs) : undefined;
  const stdin = opts.quitKeys ? process.stdin : undefined;
  const keys = stdin?.isTTY ? stdin : undefined;
  const onKey = (d: Buffer): void => {
    if (d.toString() === 'q' || d[0] === 3) stop();
  };
  if (keys) {
    keys.setRawMode(true);
    keys.on('data', onKey);
  }
  try {
    await opts.start();
    await stopped;
  } finally {
    active = false; // the client has no way to remove a listener: this one goes quiet instead
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    clearTimeout(timer);
    if (keys) {
      keys.off('data', onKey);
      keys.setRawMode(false);
    }
    stdin?.pause(); // a stdin left flowing would keep the process alive
  }
}
