import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NslabError } from '../../shared/errors.js';
import type { HelperContext } from '../context.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { resourcesDir } from '../resources.js';
import { applyTopology, destroyTopology, showTopology } from './engine.js';
import { parseTopology, validateTopology } from './load.js';

type TopologyMethods = Extract<keyof Handlers, `topology.${string}`>;

function builtinTopologies(): { name: string; file: string; yaml: string }[] {
  const dir = join(resourcesDir(), 'topologies');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f.slice(0, -5), file: join(dir, f), yaml: readFileSync(join(dir, f), 'utf8') }));
}

/** Node names of an applied topology: saved with it, else from the YAML it was applied with. */
function appliedNodes(ctx: HelperContext, name: string): string[] {
  try {
    return ctx.topologies.nodes(name) ?? parseTopology(ctx.topologies.load(name) ?? '', name).nodes.map((n) => n.name);
  } catch {
    return [];
  }
}

export function topologyHandlers(ctx: HelperContext): Pick<Handlers, TopologyMethods> {
  return {
    'topology.validate': async ({ yaml }) => validateTopology(yaml),
    'topology.apply': async (p) => {
      if ('yaml' in p) return applyTopology(ctx, p.yaml, p.file);
      const shipped = builtinTopologies();
      const b = shipped.find((t) => t.name === p.builtin);
      if (!b) throw new NslabError('not-found', `no shipped topology '${p.builtin}' (shipped: ${shipped.map((t) => t.name).join(', ')})`, { field: 'builtin' });
      return applyTopology(ctx, b.yaml, b.file);
    },
    'topology.destroy': async ({ name }) => destroyTopology(ctx, name),
    'topology.show': async ({ name }) => showTopology(ctx, name),
    'topology.list': async () => ({
      applied: ctx.topologies.list().map((t) => ({ ...t, nodes: appliedNodes(ctx, t.name) })),
      builtin: builtinTopologies(),
    }),
  };
}
