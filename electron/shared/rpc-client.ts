// A transport-agnostic JSON-RPC 2.0 client: the CLI's socket client, the relays and the renderer feed it
// parsed messages and give it a way to send.
import type { EventName, MethodName, Params, Result } from './contract/index.js';
import { NslabError } from './errors.js';
import { CANCEL_METHOD, rpcToError, type RpcErrorObject } from './rpc.js';

interface Pending {
  resolve(value: unknown): void;
  reject(err: NslabError): void;
}

export type EventListener = (name: EventName, payload: unknown) => void;

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly send: (message: object) => void) {}

  call<M extends MethodName>(method: M, params: Params<M>, signal?: AbortSignal): Promise<Result<M>> {
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      signal?.addEventListener('abort', () => this.send({ jsonrpc: '2.0', method: CANCEL_METHOD, params: { id } }), { once: true });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Feed one parsed message from the transport. */
  receive(message: unknown): void {
    const m = message as { id?: number | null; method?: string; params?: unknown; result?: unknown; error?: RpcErrorObject };
    if (typeof m.method === 'string' && m.id === undefined) {
      for (const l of this.listeners) l(m.method as EventName, m.params);
      return;
    }
    if (typeof m.id !== 'number') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.error) p.reject(rpcToError(m.error));
    else p.resolve(m.result);
  }

  /** The transport is gone: every call still waiting fails. */
  fail(reason: string): void {
    for (const p of this.pending.values()) p.reject(new NslabError('internal', reason));
    this.pending.clear();
  }
}
