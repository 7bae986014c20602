// The renderer's one door to the helper, as types only (no runtime code), so the renderer can type
// `window.nslab` and its WebSocket client without bundling anything from here.
import type { EventName, EventPayload, HelperStatus, NotificationName, Params, RequestName, Result } from './contract/index.js';
import type { RpcErrorObject } from './rpc.js';

/**
 * An error as it crosses contextBridge / the WebSocket: the JSON-RPC error object the helper made, passed on
 * untouched by every hop (`rpcToError` turns it back into an NslabError at the end).
 */
export type BridgeError = RpcErrorObject;

/** What every call resolves to; calls never reject (podman-desktop's ipc-invoke envelope). */
export type Envelope<T> = { result: T; error?: undefined } | { error: BridgeError; result?: undefined };

export type { HelperStatus };
/** Every event, the helper's and the relay's own (both in the contract's event table). */
export type BridgeEventName = EventName;
export type BridgeEventPayload<E extends BridgeEventName> = EventPayload<E>;

/** `window.nslab` in Electron; the renderer's WebSocket transport offers the same shape. */
export interface NslabBridge {
  call<M extends RequestName>(method: M, params: Params<M>): Promise<Envelope<Result<M>>>;
  /** Fire and forget: no reply, no error (keystrokes, acks, resizes). */
  notify<M extends NotificationName>(method: M, params: Params<M>): void;
  /** Returns a subscription id; subscribing to `helper.status` delivers the current status at once. */
  subscribe<E extends BridgeEventName>(event: E, listener: (payload: BridgeEventPayload<E>) => void): number;
  unsubscribe(subscriptionId: number): void;
}
