// The renderer's only door to the helper. It picks the transport (Electron's preload bridge, or a
// WebSocket to `nslab serve`); nothing else in the renderer knows which. Calls resolve with the typed result
// or throw a typed NslabError (made from the helper's wire error, the only conversion on the way); events
// arrive through `on()`; notification methods (keystrokes, acks, resizes) go through `notify()`, unanswered.
import type { BridgeEventName, BridgeEventPayload, NslabBridge } from '@shared/bridge';
import type { NotificationName, Params, RequestName, Result } from '@shared/contract/index';
import { NslabError } from '@shared/errors';
import { rpcToError } from '@shared/rpc';
import { WebSocketBridge, rpcUrl } from './websocket';

export interface Api {
  call<M extends RequestName>(method: M, params: Params<M>): Promise<Result<M>>;
  /** Fire and forget: no answer, no error. */
  notify<M extends NotificationName>(method: M, params: Params<M>): void;
  /** Listens to one event; returns the function that stops listening. */
  on<E extends BridgeEventName>(event: E, listener: (payload: BridgeEventPayload<E>) => void): () => void;
  readonly transport: 'electron' | 'browser';
  /** Browser mode: try to reconnect now instead of at the next scheduled attempt. */
  reconnect?(): void;
}

export function createApi(bridge: NslabBridge, transport: Api['transport'], reconnect?: () => void): Api {
  return {
    transport,
    ...(reconnect ? { reconnect } : {}),
    async call(method, params) {
      const reply = await bridge.call(method, params);
      if (reply.error) throw rpcToError(reply.error);
      return reply.result;
    },
    notify: (method, params) => bridge.notify(method, params),
    on(event, listener) {
      const id = bridge.subscribe(event, listener);
      return () => bridge.unsubscribe(id);
    },
  };
}

let current: Api | null = null;

/** The app's Api: Electron's bridge when the preload put one there, else the WebSocket. */
export function useApi(): Api {
  if (current) return current;
  const bridge = typeof window !== 'undefined' ? window.nslab : undefined;
  if (bridge) current = createApi(bridge, 'electron');
  else {
    const socket = new WebSocketBridge({ url: rpcUrl(window.location) });
    current = createApi(socket, 'browser', () => socket.retryNow());
  }
  return current;
}

/** Tests (and only tests) swap the Api. */
export function setApi(api: Api | null): void {
  current = api;
}

export { NslabError };
