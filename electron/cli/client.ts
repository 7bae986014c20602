// The CLI's typed client: the running helper (its socket is announced in the ledger lock), or the helper
// core in this process when none is running — through the same link either way (upstream.ts).
import type { EventName, NotificationName, Params, RequestName, Result } from '../shared/contract/index.js';
import { toNslabError } from '../shared/errors.js';
import { RpcPeer, type MessagePipe } from '../shared/transport/index.js';
import { defaultStateDir, openCore } from '../helper/core.js';
import { corePipe, findRunningHelper } from './upstream.js';

export interface Client {
  call<M extends RequestName>(method: M, params: Params<M>): Promise<Result<M>>;
  notify<M extends NotificationName>(method: M, params: Params<M>): void;
  /** Events this connection receives: the ones it subscribed to, and its terminals' and series' own. */
  onEvent(listener: (name: EventName, payload: unknown) => void): void;
  close(): void;
}

function clientOn(pipe: MessagePipe, release: () => void = () => undefined): Client {
  const listeners: ((name: EventName, payload: unknown) => void)[] = [];
  const peer = new RpcPeer(pipe).handle({ notification: (name, payload) => listeners.forEach((l) => l(name as EventName, payload)) });
  return {
    call: async (method, params) => {
      try {
        return (await peer.request(method, params)) as never;
      } catch (err) {
        throw toNslabError(err);
      }
    },
    notify: (method, params) => peer.notify(method, params),
    onEvent: (listener) => void listeners.push(listener),
    close: () => {
      peer.close();
      release();
    },
  };
}

export async function connectHelper(): Promise<Client> {
  // A result may be of any size: the client lifts the line cap the helper keeps for requests.
  const running = await findRunningHelper(defaultStateDir(), Number.POSITIVE_INFINITY);
  if (running) return clientOn(running.pipe);
  const core = await openCore();
  return clientOn(corePipe(core), () => core.close());
}
