// A scripted Api for store and component tests: answers per method, records calls, emits events.
import type { BridgeEventName } from '../../electron/shared/bridge';
import type { MethodName, NodeSnapshot } from '../../electron/shared/contract/index';
import { NslabError } from '../../electron/shared/errors';
import { setApi, type Api } from '../../renderer/src/api';

type Handler = (params: unknown) => unknown;

export interface FakeApi extends Api {
  calls: { method: string; params: unknown }[];
  handlers: Map<string, Handler>;
  emit(event: BridgeEventName, payload: unknown): void;
  listeners(event: string): number;
}

export function fakeApi(handlers: Partial<Record<MethodName, Handler>> = {}): FakeApi {
  const subs = new Map<string, Set<(p: unknown) => void>>();
  const api: FakeApi = {
    transport: 'browser',
    calls: [],
    handlers: new Map(Object.entries(handlers) as [string, Handler][]),
    async call(method, params) {
      api.calls.push({ method, params });
      const h = api.handlers.get(method);
      if (!h) throw new NslabError('unknown-method', `no fake for ${method}`);
      return (await h(params)) as never;
    },
    on(event, listener) {
      const set = subs.get(event) ?? new Set();
      subs.set(event, set);
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    emit(event, payload) {
      for (const l of subs.get(event) ?? []) l(payload);
    },
    listeners: (event) => subs.get(event)?.size ?? 0,
  };
  setApi(api);
  return api;
}

export const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

export function node(name: string, links: Partial<NodeSnapshot['links'][number]>[] = [], extra: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return {
    name,
    netns: `nslab-${name}`,
    topology: null,
    recorded: true,
    forwarding: false,
    forwardingV6: false,
    rpFilter: 2,
    routes: [],
    links: [
      { name: 'lo', ifindex: 1, kind: 'loopback', state: 'UNKNOWN', up: true, mac: null, mtu: 65536, addresses: ['127.0.0.1/8'] },
      ...links.map((l, i) => ({ name: `if${i}`, ifindex: i + 2, kind: 'veth', state: 'UP', up: true, mac: null, mtu: 1500, addresses: [], ...l })),
    ],
    ...extra,
  };
}

/** RED ⇄ BLUE as topology.show reports it. */
export const redBlue = (): NodeSnapshot[] => [
  node('red', [{ name: 'veth-red', peer: 'veth-blue', peerNetns: 'nslab-blue', addresses: ['10.0.0.1/24'] }]),
  node('blue', [{ name: 'veth-blue', peer: 'veth-red', peerNetns: 'nslab-red', addresses: ['10.0.0.2/24'] }]),
];
