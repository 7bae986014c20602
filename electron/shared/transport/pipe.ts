// A JSON-RPC connection seen message by message, whatever carries it: a byte stream (the helper's socket and
// stdio, Electron main's pipe to the helper, the CLI's socket), or two ends in one process (the CLI's core).
// Framing is this file's business; meaning is the peer's.
import { NslabError } from '../errors.js';
import { LineFramer } from '../framing.js';
import { MAX_MESSAGE_BYTES } from '../rpc.js';

export interface PipeHandlers {
  /** One message, parsed. */
  message(message: unknown): void;
  /** A frame that is not a message (malformed JSON, too large): the peer answers it with this error. */
  malformed(error: NslabError): void;
  /** Called once, when the connection is gone (from either side). */
  close(reason: string): void;
}

export interface MessagePipe {
  send(message: object): void;
  /** Called once: every incoming message, then one close. */
  start(handlers: PipeHandlers): void;
  close(): void;
}

/** Anything that emits byte chunks: a net.Socket, a child's stdout, process.stdin. */
export interface ByteSource {
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  off(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
}

export interface StreamPipeOptions {
  source: ByteSource;
  write(text: string): void;
  /** Releases the stream when this side closes the pipe (end a socket; a launcher only detaches). */
  release?(): void;
  /** Largest line accepted; a client reading a helper's results may lift it. */
  maxBytes?: number;
}

export interface StreamPipe extends MessagePipe {
  /** The stream itself ended (socket closed, child exited): reports the close once. */
  ended(reason: string): void;
}

const NOOP: PipeHandlers = { message: () => undefined, malformed: () => undefined, close: () => undefined };

/** Newline-delimited JSON over a byte stream (shared framing.ts: byte-based, size-capped). */
export function streamPipe(opts: StreamPipeOptions): StreamPipe {
  const framer = new LineFramer(opts.maxBytes ?? MAX_MESSAGE_BYTES);
  let handlers = NOOP;
  let open = true;
  const data = (chunk: Uint8Array): void => {
    for (const frame of framer.push(chunk)) {
      if (!open) return;
      if (frame.kind === 'oversized') {
        handlers.malformed(new NslabError('invalid-request', `message larger than the limit (${frame.bytes}+ bytes)`));
        continue;
      }
      let message: unknown;
      try {
        message = JSON.parse(frame.text);
      } catch (err) {
        handlers.malformed(new NslabError('parse-error', `malformed JSON: ${(err as Error).message}`));
        continue;
      }
      handlers.message(message);
    }
  };
  const end = (reason: string): void => {
    if (!open) return;
    open = false;
    opts.source.off('data', data);
    handlers.close(reason);
  };
  opts.source.on('data', data);
  return {
    send: (message) => void (open && opts.write(`${JSON.stringify(message)}\n`)),
    start: (h) => void (handlers = h),
    close() {
      if (!open) return;
      end('closed');
      opts.release?.();
    },
    ended: end,
  };
}

/**
 * Two connected ends in one process: what one sends, the other receives as the same object (no JSON round
 * trip for every terminal batch). Closing either end closes both.
 */
export function pipePair(): [MessagePipe, MessagePipe] {
  const handlers: [PipeHandlers, PipeHandlers] = [NOOP, NOOP];
  let open = true;
  const closeBoth = (reason: string): void => {
    if (!open) return;
    open = false;
    handlers[0].close(reason);
    handlers[1].close(reason);
  };
  const end = (me: 0 | 1): MessagePipe => ({
    send: (message) => void (open && handlers[1 - me]!.message(message)),
    start: (h) => void (handlers[me] = h),
    close: () => closeBoth('closed'),
  });
  return [end(0), end(1)];
}
