// One WebSocket client: one JSON-RPC 2.0 message per text frame each way, on the shared peer, relayed
// through a RelaySession (the same allowlist and forwarding rules as Electron main). Bad frames get typed
// errors; the socket stays.
import type { WebSocket } from 'ws';
import { NslabError } from '../shared/errors.js';
import { RelaySession } from '../shared/relay.js';
import { MAX_MESSAGE_BYTES } from '../shared/rpc.js';
import { RemoteError, RpcPeer, type MessagePipe, type PipeHandlers } from '../shared/transport/index.js';

export interface RelayClientOptions {
  connect(): Promise<MessagePipe>;
  allow?: ReadonlySet<string>;
}

/** A WebSocket as a message pipe: a text frame is one message. */
function webSocketPipe(ws: WebSocket): MessagePipe {
  return {
    send: (message) => void (ws.readyState === ws.OPEN && ws.send(JSON.stringify(message))),
    start(h: PipeHandlers) {
      ws.on('message', (data, isBinary) => {
        const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
        if (bytes > MAX_MESSAGE_BYTES) return h.malformed(new NslabError('invalid-request', `message larger than the limit (${MAX_MESSAGE_BYTES} bytes)`));
        if (isBinary) return h.malformed(new NslabError('invalid-request', 'binary frames are not accepted: send JSON text'));
        let message: unknown;
        try {
          message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
        } catch (err) {
          return h.malformed(new NslabError('parse-error', `malformed JSON: ${(err as Error).message}`));
        }
        h.message(message);
      });
      ws.on('close', () => h.close('the WebSocket closed'));
    },
    close: () => ws.close(),
  };
}

export function relayWebSocket(ws: WebSocket, opts: RelayClientOptions): RelaySession {
  const peer = new RpcPeer(webSocketPipe(ws), { onClose: () => session.close() });
  const session: RelaySession = new RelaySession({
    connect: opts.connect,
    transport: 'browser',
    ...(opts.allow ? { allow: opts.allow } : {}),
    emit: (event, payload) => peer.notify(event, payload),
  });
  peer.handle({
    request: async (method, params, signal) => {
      const reply = await session.call(method, params, signal);
      if (reply.error) throw new RemoteError(reply.error);
      return reply.result;
    },
    notification: (method, params) => session.notify(method, params),
  });
  ws.on('error', () => ws.terminate());
  return session;
}
