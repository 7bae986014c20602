// One client connection: JSON-RPC 2.0 requests in, responses and subscribed events out, cancellation by id.
import { EVENT_NAMES } from '../../shared/contract/index.js';
import { NslabError, toNslabError } from '../../shared/errors.js';
import { CANCEL_METHOD, RequestId, RpcRequest, errorToRpc, type RequestId as Id } from '../../shared/rpc.js';
import type { EventBus } from '../events.js';
import type { ClientHandle, Dispatch } from './dispatcher.js';
import { LineFramer } from '../../shared/framing.js';

export interface Wire {
  write(line: string): void;
  /** An in-process peer takes the message object as is: no JSON round trip for every terminal batch. */
  message?(message: object): void;
}

let connectionCount = 0;

export class Connection {
  private readonly framer = new LineFramer();
  private readonly inflight = new Map<Id, AbortController>();
  private readonly subscribed = new Set<string>();
  private readonly stopListening: () => void;
  private readonly closeHooks = new Set<() => void>();
  private closed = false;
  readonly client: ClientHandle;

  constructor(
    private readonly wire: Wire,
    private readonly dispatch: Dispatch,
    bus: EventBus,
  ) {
    this.stopListening = bus.listen((name, payload) => {
      if (this.subscribed.has(name)) this.send({ jsonrpc: '2.0', method: name, params: payload });
    });
    this.client = {
      id: `c${++connectionCount}`,
      notify: (name, payload) => this.send({ jsonrpc: '2.0', method: name, params: payload }),
      onClose: (fn) => {
        this.closeHooks.add(fn);
        return () => this.closeHooks.delete(fn);
      },
    };
  }

  receive(chunk: Buffer): void {
    for (const frame of this.framer.push(chunk)) {
      if (frame.kind === 'oversized') {
        this.sendError(null, new NslabError('invalid-request', `message larger than the limit (${frame.bytes}+ bytes)`));
      } else {
        this.handleLine(frame.text);
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    for (const controller of this.inflight.values()) controller.abort();
    this.inflight.clear();
    for (const hook of this.closeHooks) hook();
    this.closeHooks.clear();
  }

  private handleLine(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      this.sendError(null, new NslabError('parse-error', `malformed JSON: ${(err as Error).message}`));
      return;
    }
    const parsed = RpcRequest.safeParse(raw);
    if (!parsed.success) {
      const id = RequestId.safeParse((raw as { id?: unknown } | null)?.id);
      this.sendError(id.success ? id.data : null, new NslabError('invalid-request', 'not a JSON-RPC 2.0 request'));
      return;
    }
    const request = parsed.data;
    if (request.method === CANCEL_METHOD) {
      const target = RequestId.safeParse((request.params as { id?: unknown } | undefined)?.id);
      if (target.success) this.inflight.get(target.data)?.abort();
      return;
    }
    void this.handleRequest(request);
  }

  private async handleRequest(request: RpcRequest): Promise<void> {
    const id = request.id;
    const controller = new AbortController();
    if (id !== undefined) {
      if (this.inflight.has(id)) {
        this.sendError(id, new NslabError('invalid-request', `request id ${JSON.stringify(id)} is already in flight`));
        return;
      }
      this.inflight.set(id, controller);
    }
    try {
      const result = await this.dispatch(request.method, request.params, {
        signal: controller.signal,
        client: this.client,
        subscribe: (events) => events.forEach((e) => EVENT_NAMES.includes(e as never) && this.subscribed.add(e)),
        unsubscribe: (events) => events.forEach((e) => this.subscribed.delete(e)),
      });
      if (id !== undefined) this.send({ jsonrpc: '2.0', id, result: result ?? null });
    } catch (err) {
      if (id !== undefined) this.sendError(id, toNslabError(err));
    } finally {
      if (id !== undefined) this.inflight.delete(id);
    }
  }

  private sendError(id: Id | null, error: NslabError): void {
    this.send({ jsonrpc: '2.0', id, error: errorToRpc(error) });
  }

  private send(message: object): void {
    if (this.closed) return;
    if (this.wire.message) this.wire.message(message);
    else this.wire.write(`${JSON.stringify(message)}\n`);
  }
}
