import type { Command } from 'commander';
import type { Params } from '../../shared/contract/index.js';
import { printJson, withClient } from '../output.js';

interface ActivityOpts {
  since?: string;
  lab?: string;
  session?: boolean;
  json?: boolean;
}

const queryOf = (opts: ActivityOpts): Params<'activity.list'> => ({
  ...(opts.since ? { since: opts.since } : {}),
  ...(opts.lab ? { owner: `lab:${opts.lab}` } : {}),
  ...(opts.session ? { currentSession: true } : {}),
});

const scoped = (cmd: Command): Command =>
  cmd
    .option('--since <time>', 'only changes at or after this ISO date/time, e.g. 2026-12-01T09:00:00Z')
    .option('--lab <id>', "only this lab's changes")
    .option('--session', 'only what the running helper did since it started');

export function registerActivity(program: Command): void {
  const activity = scoped(program.command('activity'))
    .option('--json', 'print the entries as JSON')
    .description("the helper's journal of changes, as the commands a person would type (kept across restarts)")
    .action((opts: ActivityOpts) =>
      withClient(!!opts.json, async (client) => {
        const listed = await client.call('activity.list', queryOf(opts));
        if (opts.json) return void printJson(listed);
        const { entries } = listed;
        for (const e of entries) {
          const mark = e.ok ? 'ok  ' : 'FAIL';
          for (const line of e.shell) process.stdout.write(`${e.at}  ${mark}  ${line}${e.owner ? `  [${e.owner}]` : ''}\n`);
          if (e.error) process.stdout.write(`      ${e.error.code}: ${e.error.message}\n`);
        }
      }),
    );

  scoped(activity.command('export'))
    .description('print the journaled changes as a runnable shell script (bash script.sh re-creates them)')
    .action((opts: ActivityOpts) =>
      withClient(false, async (client) => {
        process.stdout.write((await client.call('activity.export', queryOf(opts))).script);
      }),
    );
}
