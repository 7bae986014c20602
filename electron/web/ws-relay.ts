// One WebSocket client: one JSON-RPC 2.0 message per text frame each way, relayed through a RelaySession
// (the same allowlist and forwarding rules as Electron main). Bad frames get typed errors; the socket stays.
import type { WebSocket } from 'ws';
import { NslabError } from '../shared/errors.js';
import { RelaySession, type MessagePipe } from '../shared/relay.js';
import { CANCEL_METHOD, MAX_MESSAGE_BYTES, RequestId, RpcRequest, errorToRpc, type RequestId as Id } from '../shared/rpc.js';
import { RPC_NUMERIC_CODE } from '../shared/errors.js';
import type { Envelope } from '../shared/bridge.js';

export interface RelayClientOptions {
  connect(): Promise<MessagePipe>;
  allow?: ReadonlySet<string>;
}

export function relayWebSocket(ws: WebSocket, opts: RelayClientOptions): RelaySession {
  const send = (message: object): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const session = new RelaySession({
    connect: opts.connect,
    transport: 'browser',
    ...(opts.allow ? { allow: opts.allow } : {}),
    emit: (event, payload) => send({ jsonrpc: '2.0', method: event, params: payload }),
  });
  const inflight = new Map<Id, AbortController>();
  const sendError = (id: Id | null, err: NslabError): void => send({ jsonrpc: '2.0', id, error: errorToRpc(err) });

  ws.on('message', (data, isBinary) => {
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
    if (bytes > MAX_MESSAGE_BYTES) return sendError(null, new NslabError('invalid-request', `message larger than the limit (${MAX_MESSAGE_BYTES} bytes)`));
    if (isBinary) return sendError(null, new NslabError('invalid-request', 'binary frames are not accepted: send JSON text'));
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
    } catch (err) {
      return sendError(null, new NslabError('parse-error', `malformed JSON: ${(err as Error).message}`));
    }
    if (Array.isArray(raw)) return sendError(null, new NslabError('invalid-request', 'batch requests are not supported'));
    const parsed = RpcRequest.safeParse(raw);
    if (!parsed.success) {
      const id = RequestId.safeParse((raw as { id?: unknown } | null)?.id);
      return sendError(id.success ? id.data : null, new NslabError('invalid-request', 'not a JSON-RPC 2.0 request'));
    }
    const { id, method, params } = parsed.data;
    if (method === CANCEL_METHOD) {
      const target = RequestId.safeParse((params as { id?: unknown } | undefined)?.id);
      if (target.success) inflight.get(target.data)?.abort();
      return;
    }
    if (id !== undefined && inflight.has(id)) return sendError(id, new NslabError('invalid-request', `request id ${JSON.stringify(id)} is already in flight`));
    const controller = new AbortController();
    if (id !== undefined) inflight.set(id, controller);
    void session.call(method, params, controller.signal).then((reply: Envelope<unknown>) => {
      if (id === undefined) return; // a notification: nothing to answer
      inflight.delete(id);
      if (reply.error) send({ jsonrpc: '2.0', id, error: { code: RPC_NUMERIC_CODE[reply.error.code], message: reply.error.message, data: reply.error.data } });
      else send({ jsonrpc: '2.0', id, result: reply.result ?? null });
    });
  });
  ws.on('close', () => {
    for (const c of inflight.values()) c.abort();
    inflight.clear();
    session.close();
  });
  ws.on('error', () => ws.terminate());
  return session;
}
