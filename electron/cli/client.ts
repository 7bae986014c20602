// How the CLI reaches the helper: the running one (its socket is announced in the ledger lock), or the
// helper core in this process when none is running.
import { connect as netConnect } from 'node:net';
import type { EventName, MethodName, Params, Result } from '../shared/contract/index.js';
import { NslabError, toNslabError } from '../shared/errors.js';
import { LineFramer } from '../shared/framing.js';
import { RpcClient } from '../shared/rpc-client.js';
import { defaultStateDir, lockPathOf, openCore } from '../helper/core.js';
import { readLock } from '../helper/ledger/lock.js';
import type { CallContext } from '../helper/rpc/dispatcher.js';

export interface Client {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  onEvent(listener: (name: EventName, payload: unknown) => void): void;
  close(): void;
}

function socketClient(path: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(path);
    const rpc = new RpcClient((m) => socket.write(`${JSON.stringify(m)}\n`));
    const framer = new LineFramer(Number.POSITIVE_INFINITY); // a result may be of any size
    socket.on('data', (chunk: Buffer) => {
      for (const frame of framer.push(chunk)) if (frame.kind === 'line') rpc.receive(JSON.parse(frame.text));
    });
    socket.on('close', () => rpc.fail('the helper closed the connection'));
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        call: (method, params) => rpc.call(method, params),
        onEvent: (listener) => void rpc.onEvent(listener),
        close: () => socket.end(),
      }),
    );
  });
}

async function inProcessClient(): Promise<Client> {
  const core = await openCore();
  const listeners: ((name: EventName, payload: unknown) => void)[] = [];
  const closeHooks = new Set<() => void>();
  core.ctx.bus.listen((name, payload) => listeners.forEach((l) => l(name, payload)));
  const call: CallContext = {
    signal: new AbortController().signal,
    client: {
      id: 'in-process',
      notify: (name, payload) => listeners.forEach((l) => l(name, payload)),
      onClose: (fn) => (closeHooks.add(fn), () => closeHooks.delete(fn)),
    },
    subscribe: () => undefined,
    unsubscribe: () => undefined,
  };
  return {
    call: async (method, params) => {
      try {
        return (await core.dispatch(method, params, call)) as never;
      } catch (err) {
        throw toNslabError(err);
      }
    },
    onEvent: (listener) => void listeners.push(listener),
    close: () => {
      closeHooks.forEach((fn) => fn());
      core.close();
    },
  };
}

export async function connectHelper(): Promise<Client> {
  const explicit = process.env.NSLAB_SOCKET;
  const announced = readLock(lockPathOf(defaultStateDir()))?.socket;
  const path = explicit ?? announced;
  if (path) {
    try {
      return await socketClient(path);
    } catch (err) {
      if (explicit) throw new NslabError('not-found', `no helper answers on ${explicit}: ${(err as Error).message}`);
    }
  }
  return inProcessClient();
}
