// What `nslab export` reads: a topology or lab YAML file, or the name of a shipped topology or lab.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopologySpec } from '../shared/contract/topology-spec.js';
import { NslabError } from '../shared/errors.js';
import { parseLab } from '../helper/labs/catalogue.js';
import { resourcesDir } from '../helper/resources.js';
import { parseTopology } from '../helper/topology/load.js';
import { parse } from 'yaml';

export interface ExportSource {
  kind: 'topology' | 'lab';
  id: string;
  file: string;
  topology: TopologySpec;
  /** Parts of a lab that are not its network (cgroups, containers, firewall steps). */
  notCarried: string[];
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new NslabError('not-found', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { field: 'source' });
  }
}

export function loadExportSource(arg: string): ExportSource {
  let file = arg;
  if (!existsSync(file)) {
    const shipped = ['topologies', 'labs'].map((d) => join(resourcesDir(), d, `${arg}.yaml`)).find((p) => /^[A-Za-z0-9._-]+$/.test(arg) && existsSync(p));
    if (!shipped) throw new NslabError('not-found', `${arg} is neither a file nor a shipped topology or lab name (see nslab topo list, nslab lab list)`, { field: 'source' });
    file = shipped;
  }
  const text = read(file);
  const raw = parse(text) as Record<string, unknown> | null;
  if (raw && typeof raw === 'object' && 'steps' in raw) {
    const lab = parseLab(text, file);
    if (!lab.topology) throw new NslabError('invalid-params', `lab ${lab.id} has no network topology to export (it is about ${lab.cgroups ? 'cgroups' : 'containers'})`, { field: 'source' });
    const notCarried: string[] = [];
    if (lab.cgroups) notCarried.push('the lab\'s cgroups (resource limits are per-host; set them in the node\'s container options)');
    if (lab.containers) notCarried.push('the lab\'s containers (nslab builds them by hand; use images instead)');
    notCarried.push(`the lab's ${lab.steps.length} steps and checks (run them by hand with docker exec / kubectl exec)`);
    return { kind: 'lab', id: lab.id, file, topology: lab.topology, notCarried };
  }
  const topology = parseTopology(text, file);
  return { kind: 'topology', id: topology.name, file, topology, notCarried: [] };
}
