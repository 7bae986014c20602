// A helper without a kernel: the real JSON-RPC Connection and dispatcher over fake handlers, as a
// MessagePipe factory for relay tests.
import { EventBus } from '../../electron/helper/events.js';
import { Connection } from '../../electron/helper/rpc/connection.js';
import { createDispatcher, type Handlers } from '../../electron/helper/rpc/dispatcher.js';
import { pipePair, type MessagePipe } from '../../electron/shared/transport/index.js';

export interface FakeHelper {
  bus: EventBus;
  /** Every request the helper received, in order. */
  seen: { method: string; params: unknown }[];
  connect(): Promise<MessagePipe>;
  /** Drops every open connection, as a dying helper would. */
  kill(): void;
  connections(): number;
}

export function fakeHelper(partial: Partial<Handlers> = {}): FakeHelper {
  const bus = new EventBus();
  const seen: FakeHelper['seen'] = [];
  const defaults: Partial<Handlers> = {
    'helper.hello': async () => ({ version: 'test', pid: 1, root: true, mode: 'host', stateDir: '/nowhere' }),
    'events.subscribe': async ({ events }, call) => (call.subscribe(events), { events }),
    'events.unsubscribe': async ({ events }, call) => (call.unsubscribe(events), { events }),
  };
  const table = { ...defaults, ...partial };
  const handlers = new Proxy(table, {
    get: (t, k) => (t as Record<string | symbol, unknown>)[k] ?? (async () => ({})),
  }) as Handlers;
  const dispatch = createDispatcher(handlers);
  const open = new Set<() => void>();
  return {
    bus,
    seen,
    connections: () => open.size,
    kill: () => [...open].forEach((close) => close()),
    async connect() {
      const [client, helper] = pipePair();
      new Connection(helper, (method, params, call) => {
        seen.push({ method, params });
        return dispatch(method, params, call);
      }, bus);
      const close = (): void => {
        if (!open.delete(close)) return;
        client.close();
      };
      open.add(close);
      return {
        send: (m) => client.send(m),
        start: (h) => client.start({ ...h, close: () => (open.delete(close), h.close('killed')) }),
        close,
      };
    },
  };
}
