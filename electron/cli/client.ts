// The CLI's typed client: the running helper (its socket is announced in the ledger lock), or the helper
// core in this process when none is running — through the same link either way (upstream.ts).
import type { EventName, NotificationName, Params, RequestName, Result } from '../shared/contract/index.js';
import { toNslabError } from '../shared/errors.js';
import { RpcPeer, type MessagePipe } from '../shared/transport/index.js';
import { defaultStateDir, openCore } from '../helper/core.js';
import { corePipe, findRunningHelper, socketPipe } from './upstream.js';
import { ensureSandbox } from './sandbox/background.js';
import { currentMode, type HelperMode } from './sandbox/mode.js';

export interface Client {
  /** Host or sandbox: which kernel this client's calls change (every --json output says it). */
  mode: HelperMode;
  call<M extends RequestName>(method: M, params: Params<M>): Promise<Result<M>>;
  notify<M extends NotificationName>(method: M, params: Params<M>): void;
  /** Events this connection receives: the ones it subscribed to, and its terminals' and series' own. */
  onEvent(listener: (name: EventName, payload: unknown) => void): void;
  close(): void;
}

/** A client on one message pipe to a helper in `mode` (exported for tests that put a fake helper behind it). */
export function clientOn(pipe: MessagePipe, mode: HelperMode, release: () => void = () => undefined): Client {
  const listeners: ((name: EventName, payload: unknown) => void)[] = [];
  const peer = new RpcPeer(pipe).handle({ notification: (name, payload) => listeners.forEach((l) => l(name as EventName, payload)) });
  return {
    mode,
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

/**
 * Sandbox mode (not root, or --sandbox): the background sandbox helper, started on demand. Host mode: the
 * running helper, else a core in this process.
 */
export async function connectHelper(opts: { orInProcess?: boolean } = {}): Promise<Client> {
  // A result may be of any size: the client lifts the line cap the helper keeps for requests.
  const all = Number.POSITIVE_INFINITY;
  const mode = currentMode();
  if (mode === 'sandbox' && !process.env.NSLAB_SOCKET) {
    try {
      const sandbox = await ensureSandbox();
      return clientOn(await socketPipe(sandbox.socket, all), 'sandbox');
    } catch (err) {
      // `doctor` must still be able to say what is missing (user namespaces, unshare) and what to do.
      if (!opts.orInProcess) throw err;
      process.stderr.write(`nslab: sandbox mode is not available here (${(err as Error).message}); answering from this process without privileges\n`);
      const core = await openCore();
      return clientOn(corePipe(core), core.ctx.mode, () => core.close());
    }
  }
  const running = await findRunningHelper(defaultStateDir(), all);
  // A socket named only by NSLAB_SOCKET is taken to be in the mode asked for (its hello says for sure).
  if (running) return clientOn(running.pipe, running.mode ?? mode);
  const core = await openCore();
  return clientOn(corePipe(core), core.ctx.mode, () => core.close());
}
