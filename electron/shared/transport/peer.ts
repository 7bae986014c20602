// The one JSON-RPC 2.0 peer every hop uses (helper connections, relays, CLI, renderer's WebSocket): it sends
// requests and notifications, serves the ones it receives, answers malformed frames, tracks in-flight ids
// both ways (with a limit), and honours `$/cancel`. Errors cross the wire in one shape, the JSON-RPC error
// object made by `errorToRpc`; a peer that only forwards passes that object on untouched.
import { NslabError, toNslabError } from '../errors.js';
import { CANCEL_METHOD, RequestId, RpcErrorObject, RpcRequest, errorToRpc, rpcToError, type RequestId as Id } from '../rpc.js';
import type { MessagePipe } from './pipe.js';

/** Requests a peer serves at once; one more is refused with `busy` rather than queued without bound. */
export const MAX_INFLIGHT = 256;

export interface Serve {
  /** A request (answered with what it returns or throws). */
  request?(method: string, params: unknown, signal: AbortSignal): Promise<unknown>;
  /** A notification (events, keystrokes): nothing is answered, whatever happens. */
  notification?(method: string, params: unknown): void;
}

export interface PeerOptions {
  /** Largest number of incoming requests served at once. */
  maxInflight?: number;
  /** The connection went away (either side); pending calls have already failed. */
  onClose?(reason: string): void;
}

/** A response's error as it arrived, for a relay that must pass it on in the same shape. */
export class RemoteError extends NslabError {
  constructor(readonly wire: RpcErrorObject) {
    const e = rpcToError(wire);
    super(e.code, e.message, e.data);
    this.name = 'RemoteError';
  }
}

/** Anything thrown, in the one wire shape: a forwarded error as it came, any other through `errorToRpc`. */
export function toWireError(err: unknown): RpcErrorObject {
  return err instanceof RemoteError ? err.wire : errorToRpc(toNslabError(err));
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: NslabError): void;
}

export class RpcPeer {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly inflight = new Map<Id, AbortController>();
  private serve: Serve = {};
  private closedWith: string | null = null;

  constructor(
    private readonly pipe: MessagePipe,
    private readonly opts: PeerOptions = {},
  ) {
    pipe.start({
      message: (m) => this.receive(m),
      malformed: (err) => this.reply(null, { error: errorToRpc(err) }),
      close: (reason) => this.shutdown(reason),
    });
  }

  get closed(): boolean {
    return this.closedWith !== null;
  }

  /** Incoming requests currently being served. */
  get serving(): number {
    return this.inflight.size;
  }

  /** What this peer answers; until set, requests get `unknown-method` and notifications are dropped. */
  handle(serve: Serve): this {
    this.serve = serve;
    return this;
  }

  request(method: string, params: unknown, signal?: AbortSignal): Promise<unknown> {
    if (this.closedWith !== null) return Promise.reject(new NslabError('internal', this.closedWith));
    if (signal?.aborted) return Promise.reject(new NslabError('cancelled', `${method} was cancelled`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const abort = (): void => this.notify(CANCEL_METHOD, { id });
      signal?.addEventListener('abort', abort, { once: true });
      const done = (): void => signal?.removeEventListener('abort', abort);
      this.pending.set(id, {
        resolve: (v) => (done(), resolve(v)),
        reject: (e) => (done(), reject(e)),
      });
      this.pipe.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    if (this.closedWith === null) this.pipe.send({ jsonrpc: '2.0', method, params });
  }

  /** Ends the connection: pending calls fail with `reason`, requests being served are aborted. */
  close(reason = 'closed'): void {
    if (this.closedWith !== null) return;
    this.shutdown(reason);
    this.pipe.close();
  }

  private shutdown(reason: string): void {
    if (this.closedWith !== null) return;
    this.closedWith = reason;
    for (const p of this.pending.values()) p.reject(new NslabError('internal', reason));
    this.pending.clear();
    for (const c of this.inflight.values()) c.abort();
    this.inflight.clear();
    this.opts.onClose?.(reason);
  }

  private receive(raw: unknown): void {
    if (this.closedWith !== null) return;
    if (Array.isArray(raw)) return this.reply(null, { error: errorToRpc(new NslabError('invalid-request', 'batch requests are not supported')) });
    const m = raw as { id?: unknown; method?: unknown; result?: unknown; error?: unknown } | null;
    if (m && typeof m === 'object' && m.method === undefined && ('result' in m || 'error' in m)) return this.settle(m);
    const parsed = RpcRequest.safeParse(raw);
    if (!parsed.success) {
      const id = RequestId.safeParse(m?.id);
      return this.reply(id.success ? id.data : null, { error: errorToRpc(new NslabError('invalid-request', 'not a JSON-RPC 2.0 request')) });
    }
    const { id, method, params } = parsed.data;
    if (id === undefined) return this.notified(method, params);
    void this.answer(id, method, params);
  }

  private settle(m: { id?: unknown; result?: unknown; error?: unknown }): void {
    if (typeof m.id !== 'number') return; // an answer to nothing we asked (e.g. to a malformed frame)
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.error === undefined) return p.resolve(m.result);
    const wire = RpcErrorObject.safeParse(m.error);
    p.reject(wire.success ? new RemoteError(wire.data) : new NslabError('internal', 'the peer answered with a malformed error'));
  }

  private notified(method: string, params: unknown): void {
    if (method === CANCEL_METHOD) {
      const target = RequestId.safeParse((params as { id?: unknown } | undefined)?.id);
      if (target.success) this.inflight.get(target.data)?.abort();
      return;
    }
    try {
      this.serve.notification?.(method, params);
    } catch {
      // a notification has no one to tell
    }
  }

  private async answer(id: Id, method: string, params: unknown): Promise<void> {
    if (this.inflight.has(id)) return this.reply(id, { error: errorToRpc(new NslabError('invalid-request', `request id ${JSON.stringify(id)} is already in flight`)) });
    const limit = this.opts.maxInflight ?? MAX_INFLIGHT;
    if (this.inflight.size >= limit) return this.reply(id, { error: errorToRpc(new NslabError('busy', `more than ${limit} requests in flight on this connection`)) });
    const serve = this.serve.request;
    if (!serve) return this.reply(id, { error: errorToRpc(new NslabError('unknown-method', `unknown method '${method}'`, { field: 'method' })) });
    const controller = new AbortController();
    this.inflight.set(id, controller);
    try {
      const result = await serve(method, params, controller.signal);
      this.reply(id, { result: result ?? null });
    } catch (err) {
      this.reply(id, { error: toWireError(err) });
    } finally {
      if (this.inflight.get(id) === controller) this.inflight.delete(id);
    }
  }

  private reply(id: Id | null, body: { result: unknown } | { error: RpcErrorObject }): void {
    if (this.closedWith === null) this.pipe.send({ jsonrpc: '2.0', id, ...body });
  }
}
