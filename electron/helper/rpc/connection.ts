// One client connection on the shared JSON-RPC peer: requests dispatched against the contract, notifications
// (keystrokes, acks, resizes) dispatched without an answer, and events delivered to this client only when it
// subscribed — by `events.subscribe` for broadcasts, or by owning the terminal or series they belong to.
import { EVENT_NAMES, isNotificationMethod } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { RpcPeer, type MessagePipe } from '../../shared/transport/index.js';
import type { EventBus } from '../events.js';
import type { ClientHandle, Dispatch } from './dispatcher.js';

let connectionCount = 0;

export class Connection {
  private readonly peer: RpcPeer;
  private readonly subscribed = new Set<string>();
  private readonly stopListening: () => void;
  private readonly closeHooks = new Set<() => void>();
  readonly client: ClientHandle;

  constructor(pipe: MessagePipe, dispatch: Dispatch, bus: EventBus) {
    this.peer = new RpcPeer(pipe, { onClose: () => this.closed() });
    this.client = {
      id: `c${++connectionCount}`,
      notify: (name, payload) => this.peer.notify(name, payload),
      onClose: (fn) => {
        this.closeHooks.add(fn);
        return () => this.closeHooks.delete(fn);
      },
    };
    const call = (signal: AbortSignal) => ({
      signal,
      client: this.client,
      subscribe: (events: string[]) => events.forEach((e) => EVENT_NAMES.includes(e as never) && this.subscribed.add(e)),
      unsubscribe: (events: string[]) => events.forEach((e) => this.subscribed.delete(e)),
    });
    const never = new AbortController().signal;
    this.peer.handle({
      request: (method, params, signal) => {
        if (isNotificationMethod(method)) return Promise.reject(new NslabError('invalid-request', `${method} is a notification: send it without an id`, { field: 'id' }));
        return dispatch(method, params, call(signal));
      },
      notification: (method, params) => void dispatch(method, params, call(never)).catch(() => undefined),
    });
    this.stopListening = bus.listen((name, payload) => {
      if (this.subscribed.has(name)) this.peer.notify(name, payload);
    });
  }

  close(): void {
    this.peer.close();
  }

  private closed(): void {
    this.stopListening();
    for (const hook of this.closeHooks) hook();
    this.closeHooks.clear();
  }
}
