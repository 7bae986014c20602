// `nslab export containerlab|kind` and `nslab import containerlab`: the way out to the engines made for
// many hosts (containerlab) or a real Kubernetes CNI (kind), and the way back in for the linux/bridge part.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { clabFileText, topologyToClab } from '../../interop/containerlab-export.js';
import { clabToTopology } from '../../interop/containerlab-import.js';
import { labToKind } from '../../interop/kind-export.js';
import { loadExportSource } from '../../interop/source.js';
import { NslabError } from '../../shared/errors.js';
import { printJson, withClient, withoutHelper } from '../output.js';

export function registerInterop(program: Command): void {
  const exp = program.command('export').description('write a topology or lab for containerlab or kind');
  exp
    .command('containerlab')
    .argument('<source>', 'topology or lab: a YAML file or a shipped name')
    .option('-o, --output <file>', 'write here instead of stdout (conventionally NAME.clab.yml)')
    .option('--json', 'print {file, notCarried} as JSON')
    .description('containerlab topology: linux nodes (alpine) with addresses/routes/sysctls as exec, bridges, veth links')
    .action((source: string, opts: { output?: string; json?: boolean }) =>
      withoutHelper(!!opts.json, () => {
        const src = loadExportSource(source);
        const out = topologyToClab(src.topology, [...src.notCarried]);
        const text = clabFileText(out, stringify(out.clab), `${src.kind} ${src.id}`);
        if (opts.output) writeFileSync(opts.output, text);
        else if (!opts.json) process.stdout.write(text);
        if (opts.json) printJson({ file: opts.output ?? null, clab: out.clab, hostSetup: out.hostSetup, notCarried: out.notCarried });
        else if (opts.output) process.stderr.write(`wrote ${opts.output}${out.notCarried.length ? `; not carried: ${out.notCarried.join('; ')}` : ''}\n`);
      }),
    );
  exp
    .command('kind')
    .argument('<lab>', 'a lab (YAML file or shipped id) whose network is a bridge CNI idea')
    .option('-o, --output <dir>', 'directory for kind-config.yaml and manifests.yaml', '.')
    .option('--json', 'print the files written as JSON')
    .description('kind cluster config (default CNI off) plus manifests installing the bridge CNI and one pod per lab node')
    .action((lab: string, opts: { output: string; json?: boolean }) =>
      withoutHelper(!!opts.json, () => {
        const src = loadExportSource(lab);
        const out = labToKind(src.id, src.topology, [...src.notCarried]);
        mkdirSync(opts.output, { recursive: true });
        const files = { config: join(opts.output, 'kind-config.yaml'), manifests: join(opts.output, 'manifests.yaml') };
        writeFileSync(files.config, out.config);
        writeFileSync(files.manifests, out.manifests);
        if (opts.json) printJson({ ...files, notCarried: out.notCarried });
        else process.stdout.write(`wrote ${files.config} and ${files.manifests}\nthen: kind create cluster --config ${files.config} && kubectl apply -f ${files.manifests}\nnot carried: ${out.notCarried.join('; ')}\n`);
      }),
    );

  const imp = program.command('import').description('bring a topology from another tool into nslab');
  imp
    .command('containerlab')
    .argument('<file>', 'a containerlab topology (.clab.yml)')
    .option('--dry-run', 'print the nslab topology YAML instead of building it')
    .option('--json', 'print the result as JSON')
    .description('build the linux/bridge part as nslab namespaces (no Docker), listing what cannot be carried')
    .action((file: string, opts: { dryRun?: boolean; json?: boolean }) => {
      const load = () => {
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (err) {
          throw new NslabError('not-found', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { field: 'file' });
        }
        return clabToTopology(text, file);
      };
      if (opts.dryRun)
        return withoutHelper(!!opts.json, () => {
          const r = load();
          if (opts.json) printJson(r);
          else process.stdout.write(`${r.notCarried.map((c) => `# not carried: ${c}\n`).join('')}${stringify(r.topology)}`);
        });
      let imported: ReturnType<typeof clabToTopology>;
      return withClient(
        !!opts.json,
        async (client) => {
          const result = await client.call('topology.apply', { yaml: stringify(imported.topology), file });
          if (opts.json) printJson({ ...result, notCarried: imported.notCarried });
          else {
            process.stdout.write(`applied ${result.name}: ${result.created.length} created, ${result.unchanged.length} already in place (${result.ms} ms)\n`);
            for (const c of imported.notCarried) process.stdout.write(`not carried: ${c}\n`);
          }
        },
        () => (imported = load()),
      );
    });
}
