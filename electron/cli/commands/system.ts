import type { Command } from 'commander';
import { connectHelper } from '../client.js';
import { printJson, withClient } from '../output.js';
import { parseJsonArg } from '../output.js';
import { isNotificationMethod } from '../../shared/contract/index.js';

const name = (o: { kind: string; netns: string | null; name: string }): string => `${o.kind} ${o.netns ? `${o.netns}/` : ''}${o.name}`;

/** Without a sandbox (no user namespaces, no unshare) doctor still answers, saying why and what to do. */
const doctorClient = () => connectHelper({ orInProcess: true });

export function registerSystem(program: Command): void {
  program
    .command('gc')
    .option('--dry-run', 'only report what would be deleted')
    .option('--adopt', 'also take unrecorded nslab- objects into the ledger first, so they are deleted too')
    .option('--json', 'print the report as JSON')
    .description('delete what nslab created and is still present; report unrecorded nslab- objects')
    .action((opts: { dryRun?: boolean; adopt?: boolean; json?: boolean }) =>
      withClient(!!opts.json, async (client) => {
        const report = await client.call('ledger.gc', { dryRun: !!opts.dryRun, adopt: !!opts.adopt });
        if (opts.json) printJson(report);
        else {
          const verb = report.dryRun ? 'would delete' : 'deleted';
          if (report.adopted.length) process.stdout.write(`${report.dryRun ? 'would adopt' : 'adopted'}: ${report.adopted.map(name).join(', ')}\n`);
          process.stdout.write(`${verb}: ${report.deleted.map(name).join(', ') || 'nothing'}\n`);
          if (report.forgotten.length) process.stdout.write(`already gone: ${report.forgotten.map(name).join(', ')}\n`);
          if (report.unknown.length) {
            process.stdout.write(`not recorded by nslab, left alone: ${report.unknown.map(name).join(', ')}\n`);
            process.stdout.write('  (`nslab adopt` takes them into the ledger; `nslab gc --adopt` deletes them too)\n');
          }
          for (const f of report.failed) process.stdout.write(`failed: ${name(f.object)}: ${f.message}\n`);
        }
        return report.failed.length ? 1 : 0;
      }),
    );

  program
    .command('adopt')
    .argument('[names...]', 'the objects to adopt (default: every unrecorded nslab- object)')
    .option('--dry-run', 'only report what would be adopted')
    .option('--json', 'print the report as JSON')
    .description('take nslab- objects nslab has no record of (e.g. rebuilt by an exported script) into the ledger')
    .action((names: string[], opts: { dryRun?: boolean; json?: boolean }) =>
      withClient(!!opts.json, async (client) => {
        const report = await client.call('ledger.adopt', { dryRun: !!opts.dryRun, ...(names.length ? { names } : {}) });
        if (opts.json) printJson(report);
        else process.stdout.write(`${report.dryRun ? 'would adopt' : 'adopted'}: ${report.adopted.map(name).join(', ') || 'nothing (every nslab- object is already recorded)'}\n`);
        return 0;
      }),
    );

  program
    .command('doctor')
    .option('--json', 'print the report as JSON')
    .description('what this machine supports and lacks, with reasons and fixes')
    .action((opts: { json?: boolean }) =>
      withClient(!!opts.json, async (client) => {
        const report = await client.call('system.doctor', {});
        if (opts.json) printJson(report);
        else {
          const mark = { ok: 'ok  ', warn: 'warn', missing: 'MISS' } as const;
          for (const c of report.checks) {
            process.stdout.write(`${mark[c.status]}  ${c.title.padEnd(30)} ${c.detail}\n`);
            if (c.status !== 'ok') {
              if (c.reason) process.stdout.write(`      why: ${c.reason}\n`);
              if (c.fix) process.stdout.write(`      fix: ${c.fix}\n`);
            }
          }
          process.stdout.write(report.ok ? 'essentials present\n' : 'essentials missing: see MISS lines above\n');
        }
        return report.ok ? 0 : 1;
      }, undefined, doctorClient),
    );

  program
    .command('rpc')
    .argument('<method>', 'helper method, e.g. net.netns.list')
    .argument('[params]', 'JSON params', undefined)
    .description('call any helper method and print the JSON result or the typed error (a notification method is sent and prints nothing)')
    .action((method: string, params: string | undefined) =>
      withClient(true, async (client) => {
        if (isNotificationMethod(method)) return void client.notify(method, parseJsonArg(params) as never);
        printJson(await client.call(method as never, parseJsonArg(params) as never));
      }, () => parseJsonArg(params)),
    );
}
