// A scripted Api for store and component tests: answers per method, records calls, emits events.
// It holds both sides to the contract, as the relays and the helper would: a store that calls a method the
// renderer may not call, or sends params the helper would refuse, and a fake that answers a shape the helper
// never would, each fail the test that did it (after it, even if a store swallowed the error).
import { afterEach } from 'vitest';
import type { z } from 'zod';
import type { BridgeEventName } from '../../electron/shared/bridge';
import { isMethodName, methods, type DoctorReport, type MethodName, type NodeSnapshot } from '../../electron/shared/contract/index';
import { NslabError } from '../../electron/shared/errors';
import { netnsOf } from '../../electron/shared/names';
import { setApi, type Api } from '../../renderer/src/api';

type Handler = (params: unknown) => unknown;

/** Contract breaches seen during the current test; reported by the afterEach below. */
const violations: string[] = [];

afterEach(() => {
  const seen = violations.splice(0);
  if (seen.length) throw new Error(`the renderer and its fakes broke the contract:\n${seen.join('\n')}`);
});

const describeIssues = (error: z.ZodError): string => error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

/** Hands over (and forgets) the breaches recorded so far: for the fake's own test. */
export const takeViolations = (): string[] => violations.splice(0);

/** Records a breach and returns the error the caller sees (so the store's own error path runs too). */
function breach(text: string): Error {
  violations.push(text);
  return new Error(text);
}

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
      if (!isMethodName(method)) throw breach(`${method}: not a contract method`);
      const spec = methods[method];
      if (!spec.renderer) throw breach(`${method}: renderer: false, the relays refuse it`);
      const input = spec.params.safeParse(params);
      if (!input.success) throw breach(`${method} params ${JSON.stringify(params)}: ${describeIssues(input.error)}`);
      const h = api.handlers.get(method);
      if (!h) throw new NslabError('unknown-method', `no fake for ${method}`);
      const result = await h(params);
      const output = spec.result.safeParse(result);
      if (!output.success) throw breach(`${method} fake result ${JSON.stringify(result)?.slice(0, 300)}: ${describeIssues(output.error)}`);
      return result as never;
    },
    notify(method, params) {
      api.calls.push({ method, params });
      void api.handlers.get(method)?.(params);
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
    netns: netnsOf(name),
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

/** A whole `system.doctor` report (nothing missing), with the fields a test cares about overridden. */
export const doctorReport = (extra: Partial<DoctorReport> = {}): DoctorReport => ({
  ok: true,
  root: true,
  mode: 'host',
  kernel: '6.18.0',
  cgroup: { layout: 'v2', hierarchies: [] },
  iptablesBackend: 'nf_tables',
  linkKinds: { veth: true, bridge: true },
  tools: { ip: '/usr/sbin/ip' },
  checks: [],
  ...extra,
});
