// A network configuration list (.conflist, CNI spec section 1) read from JSON text: where it is not JSON,
// which field is wrong, and the one change nslab makes to it — host-local's IPAM state lives under nslab's
// state directory, never in the machine's /var/lib/cni.
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { NslabError, zodToNslabError } from '../../shared/errors.js';
import { jsonErrorAt } from './json-where.js';

/** A plugin's `type` is a file name in CNI_PATH: no slashes, nothing that climbs out of it. */
const PluginType = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: 'type is a plugin file name: letters, digits, _ . -' });
/** Spec: alphanumeric first, then alphanumerics, _ . - */
const NetworkName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: 'name: letters, digits, _ . - (starting with a letter or digit), at most 64' });
const CniVersion = z.string().regex(/^1\.\d+\.\d+$/, { error: 'cniVersion: this runtime speaks CNI 1.x (write "1.0.0")' });

const PluginConf = z
  .object({
    type: PluginType,
    capabilities: z.record(z.string(), z.boolean()).optional(),
    ipam: z.object({ type: PluginType.optional(), dataDir: z.string().optional() }).loose().optional(),
  })
  .loose();
export type PluginConf = z.infer<typeof PluginConf>;

const ConfList = z
  .object({
    cniVersion: CniVersion,
    name: NetworkName,
    disableCheck: z.boolean().default(false),
    plugins: z.array(PluginConf).min(1, { error: 'plugins: list at least one plugin' }).max(16),
  })
  .loose();
export type ConfList = z.infer<typeof ConfList>;

/** Where host-local keeps its leases for nslab: `<state>/cni/ipam/<network>/`. */
export const ipamDirOf = (stateDir: string): string => join(stateDir, 'cni', 'ipam');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const where = jsonErrorAt(text);
    const at = where ? `line ${where.line}, column ${where.column}: expected ${where.expected}` : (err as Error).message;
    throw new NslabError('invalid-params', `config is not valid JSON: ${at}`, { field: 'config', ...(where ? { line: where.line, column: where.column } : {}) });
  }
}

/** Parses and checks a .conflist (or a single network config, which becomes a list of one). */
export function readConfList(text: string, stateDir: string): ConfList {
  const raw = parseJson(text);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new NslabError('invalid-params', 'config must be a JSON object (a network configuration list)', { field: 'config' });
  const obj = raw as Record<string, unknown>;
  // A single network config (spec 0.x style, `type` at the top) is a list of one plugin.
  const listed = !('plugins' in obj) && 'type' in obj ? (({ cniVersion, name, ...plugin }) => ({ cniVersion, name, plugins: [plugin] }))(obj) : obj;
  const parsed = ConfList.safeParse(listed);
  if (!parsed.success) throw zodToNslabError(parsed.error, 'config');
  const list = parsed.data;
  const ipamDir = ipamDirOf(stateDir);
  list.plugins = list.plugins.map((p, i) => {
    if (p.ipam?.type !== 'host-local') return p;
    if (p.ipam.dataDir !== undefined && !resolve(p.ipam.dataDir).startsWith(`${ipamDir}/`) && resolve(p.ipam.dataDir) !== ipamDir) {
      throw new NslabError('invalid-params', `config.plugins.${i}.ipam.dataDir: nslab keeps host-local's leases in ${ipamDir}; leave dataDir out`, { field: `config.plugins.${i}.ipam.dataDir` });
    }
    return { ...p, ipam: { ...p.ipam, dataDir: ipamDir } };
  });
  return list;
}

/** Every plugin file the list needs: each plugin's type and its IPAM plugin's. */
export const pluginTypesOf = (list: ConfList): string[] => [...new Set(list.plugins.flatMap((p) => [p.type, ...(p.ipam?.type ? [p.ipam.type] : [])]))];
