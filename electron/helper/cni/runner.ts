// Running a network configuration list (spec section 3, "Execution of network configuration lists"):
// ADD in order with each plugin's result handed to the next as `prevResult`; CHECK in order and DEL in
// reverse, each with the cached ADD result as `prevResult`; `name`, `cniVersion` and the capability
// arguments (`runtimeConfig`) injected into every plugin's config.
import { CniResult, type CniCall, type CniPortMapping } from '../../shared/contract/index.js';
import { NslabError, zodToNslabError } from '../../shared/errors.js';
import type { ConfList, PluginConf } from './conflist.js';
import { invoke, type CniCommand, type Invocation } from './invoke.js';

export interface ListRun {
  list: ConfList;
  containerId: string;
  netnsPath: string;
  ifname: string;
  args: Record<string, string>;
  portMappings: CniPortMapping[];
  cniPath: string[];
  hostNetns: string | null;
  paths: Map<string, string>;
}

/** The plugin's config as the spec derives it from the list. */
export function pluginConfig(run: ListRun, plugin: PluginConf, prevResult: CniResult | null): Record<string, unknown> {
  const runtimeConfig: Record<string, unknown> = {};
  if (plugin.capabilities?.portMappings && run.portMappings.length) runtimeConfig.portMappings = run.portMappings;
  return {
    ...plugin,
    cniVersion: run.list.cniVersion,
    name: run.list.name,
    ...(Object.keys(runtimeConfig).length ? { runtimeConfig } : {}),
    ...(prevResult ? { prevResult } : {}),
  };
}

function invocation(run: ListRun, command: CniCommand, plugin: PluginConf, prevResult: CniResult | null): Invocation {
  return {
    command,
    type: plugin.type,
    path: run.paths.get(plugin.type)!,
    containerId: run.containerId,
    netnsPath: run.netnsPath,
    ifname: run.ifname,
    args: Object.entries(run.args).map(([k, v]) => `${k}=${v}`).join(';'),
    cniPath: run.cniPath.join(':'),
    hostNetns: run.hostNetns,
    config: pluginConfig(run, plugin, prevResult),
  };
}

/** A plugin's ADD answer must be a CNI 1.x result; a bad one is the plugin's fault and says where. */
export function validResult(type: string, output: unknown): CniResult {
  const parsed = CniResult.safeParse(output);
  if (!parsed.success) {
    const e = zodToNslabError(parsed.error, 'result');
    throw new NslabError('internal', `${type} ADD returned an invalid CNI result: ${e.message}`, { plugin: type, field: e.field });
  }
  return parsed.data;
}

/** Thrown by addList: what had been built when a plugin failed (for the DEL that undoes it). */
export class AddFailed extends Error {
  constructor(
    readonly reason: unknown,
    readonly partial: CniResult | null,
    readonly calls: CniCall[],
  ) {
    super((reason as Error).message);
  }
}

export async function addList(run: ListRun, onStart?: (plugin: string) => void): Promise<{ result: CniResult; calls: CniCall[] }> {
  const calls: CniCall[] = [];
  let prev: CniResult | null = null;
  for (const plugin of run.list.plugins) {
    onStart?.(plugin.type);
    try {
      const { call, output } = await invoke(invocation(run, 'ADD', plugin, prev));
      prev = validResult(plugin.type, output);
      calls.push(call);
    } catch (err) {
      calls.push({ plugin: plugin.type, command: 'ADD', ok: false, ms: 0 });
      throw new AddFailed(err, prev, calls);
    }
  }
  return { result: prev!, calls };
}

export async function checkList(run: ListRun, cached: CniResult): Promise<CniCall[]> {
  const calls: CniCall[] = [];
  for (const plugin of run.list.plugins) calls.push((await invoke(invocation(run, 'CHECK', plugin, cached))).call);
  return calls;
}

/**
 * DEL in reverse order. Every plugin is called even when one fails (a DEL must release what the others
 * hold, e.g. host-local's lease); the first failure is thrown after.
 */
export async function delList(run: ListRun, cached: CniResult | null): Promise<CniCall[]> {
  const calls: CniCall[] = [];
  let first: unknown = null;
  for (const plugin of [...run.list.plugins].reverse()) {
    try {
      calls.push((await invoke(invocation(run, 'DEL', plugin, cached))).call);
    } catch (err) {
      calls.push({ plugin: plugin.type, command: 'DEL', ok: false, ms: 0 });
      first ??= err;
    }
  }
  if (first) throw first;
  return calls;
}

/**
 * When the runtime's namespace is gone, its bridges and rules went with it; only the IPAM leases (files)
 * remain. Each IPAM plugin's DEL alone releases them, run outside any namespace: it touches only files.
 */
export async function delIpamOnly(run: ListRun): Promise<CniCall[]> {
  const calls: CniCall[] = [];
  for (const plugin of [...run.list.plugins].reverse()) {
    const ipam = plugin.ipam as (Record<string, unknown> & { type?: string }) | undefined;
    if (ipam?.type !== 'host-local') continue;
    const conf = { cniVersion: run.list.cniVersion, name: run.list.name, type: plugin.type, ipam };
    calls.push((await invoke({ ...invocation({ ...run, hostNetns: null }, 'DEL', { type: 'host-local' }, null), config: conf })).call);
  }
  return calls;
}
