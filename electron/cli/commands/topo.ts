import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { NodeSnapshot } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { printJson, withClient } from '../output.js';

function readTopologyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new NslabError('not-found', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { field: 'file' });
  }
}

/** A topology that fails validation lists every problem, one `file:line:col: message` per line (compiler style). */
function withEveryProblem(err: unknown, file: string): unknown {
  if (!(err instanceof NslabError) || !Array.isArray(err.data.diagnostics) || err.data.diagnostics.length < 2) return err;
  const lines = (err.data.diagnostics as { message: string; line?: number; col?: number }[]).map((d) => `${file}${d.line === undefined ? '' : `:${d.line}:${d.col}`}: ${d.message}`);
  return new NslabError(err.code, lines.join('\n'), err.data);
}

export function printNode(n: NodeSnapshot): void {
  process.stdout.write(`${n.name}  (netns ${n.netns}${n.topology ? `, topology ${n.topology}` : ''}${n.forwarding ? ', forwarding' : ''})\n`);
  for (const l of n.links) {
    const peer = l.peer ? ` peer ${l.peer}${l.peerNetns !== undefined ? `@${l.peerNetns ?? 'root'}` : ''}` : '';
    const vx = l.vxlan;
    const tunnel = vx ? ` vni ${vx.vni}${vx.remote ? ` remote ${vx.remote}` : ''}${vx.dstport !== undefined ? ` dstport ${vx.dstport}` : ''}${vx.dev ? ` dev ${vx.dev}` : ''}` : '';
    process.stdout.write(`  ${l.name.padEnd(15)} ${l.kind.padEnd(8)} ${l.state.padEnd(8)} ${l.addresses.join(' ') || '-'}${peer}${l.master ? ` master ${l.master}` : ''}${tunnel}\n`);
  }
  for (const r of n.routes) process.stdout.write(`  route ${r.to}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}\n`);
}

export function registerTopo(program: Command): void {
  const topo = program.command('topo').description('declarative topologies (YAML)');

  topo
    .command('apply')
    .argument('<file>', 'topology YAML')
    .option('--json', 'print the result as JSON')
    .description('build a topology in one batched pass (idempotent)')
    .action((file: string, opts: { json?: boolean }) =>
      withClient(!!opts.json, async (client) => {
        const result = await client.call('topology.apply', { yaml: readTopologyFile(file), file }).catch((err: unknown) => {
          throw opts.json ? err : withEveryProblem(err, file);
        });
        if (opts.json) printJson(result);
        else process.stdout.write(`applied ${result.name}: ${result.created.length} created, ${result.unchanged.length} already in place (${result.ms} ms)\n`);
      }),
    );

  topo
    .command('check')
    .argument('<file>', 'topology YAML')
    .option('--json', 'print the result as JSON')
    .description('check a topology without building it: every problem at file:line:col, or what apply would build')
    .action((file: string, opts: { json?: boolean }) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('topology.validate', { yaml: readTopologyFile(file) });
        if (opts.json) printJson(r);
        else if (!r.valid) for (const d of r.errors) process.stderr.write(`${file}${d.line === undefined ? '' : `:${d.line}:${d.col}`}: ${d.message}\n`);
        else {
          const p = r.preview!;
          process.stdout.write(`${file}: topology ${p.name} is valid: ${p.nodes.length} nodes (${p.nodes.map((n) => n.name).join(', ')}), ${p.links.length} links${p.vxlans.length ? `, ${p.vxlans.length} vxlan tunnel ends (${p.vxlans.map((v) => `${v.node}/${v.name} vni ${v.vni} → ${v.remote}`).join(', ')})` : ''}\n`);
        }
        return r.valid ? 0 : 2;
      }),
    );

  topo
    .command('destroy')
    .argument('<name>', 'topology name')
    .option('--json', 'print the result as JSON')
    .description('remove exactly what a topology created')
    .action((name: string, opts: { json?: boolean }) =>
      withClient(!!opts.json, async (client) => {
        const result = await client.call('topology.destroy', { name });
        if (opts.json) printJson(result);
        else {
          const shown = result.removed.slice(0, 6).join(', ') + (result.removed.length > 6 ? `, … (${result.removed.length} in all)` : '');
          process.stdout.write(`destroyed ${name}: removed ${shown || 'nothing'}\n`);
        }
      }),
    );

  topo
    .command('show')
    .argument('[name]', 'topology name (default: every nslab namespace)')
    .option('--json', 'print the snapshot as JSON')
    .description('links, addresses, routes and forwarding of a topology')
    .action((name: string | undefined, opts: { json?: boolean }) =>
      withClient(!!opts.json, async (client) => {
        const snapshot = await client.call('topology.show', name === undefined ? {} : { name });
        if (opts.json) printJson(snapshot);
        else if (snapshot.nodes.length === 0) process.stdout.write('no nslab namespaces\n');
        else snapshot.nodes.forEach(printNode);
      }),
    );

  topo
    .command('list')
    .alias('ls')
    .option('--json', 'print as JSON')
    .description('applied and shipped topologies')
    .action((opts: { json?: boolean }) =>
      withClient(!!opts.json, async (client) => {
        const list = await client.call('topology.list', {});
        if (opts.json) return printJson(list);
        process.stdout.write(`applied: ${list.applied.map((t) => t.name).join(', ') || 'none'}\n`);
        for (const b of list.builtin) process.stdout.write(`shipped: ${b.name}  ${b.file}\n`);
      }),
    );
}
