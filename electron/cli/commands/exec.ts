import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { NslabError } from '../../shared/errors.js';
import { NodeName, netnsOf } from '../../shared/names.js';
import { runAttached } from '../../helper/exec.js';
import { listNetns } from '../../helper/net/snapshot.js';
import { reportError } from '../output.js';
import { zodToNslabError } from '../../helper/rpc/dispatcher.js';

async function nodeNetns(node: string): Promise<string> {
  const parsed = NodeName.safeParse(node);
  if (!parsed.success) throw zodToNslabError(parsed.error, 'node');
  const netns = netnsOf(parsed.data);
  if (!(await listNetns()).includes(netns)) throw new NslabError('not-found', `node ${node} has no namespace (${netns} does not exist)`, { field: 'node' });
  return netns;
}

export function registerExec(program: Command): void {
  program
    .command('shell')
    .argument('<node>', 'node whose network namespace to enter')
    .description('open an interactive shell inside a node’s network namespace')
    .action(async (node: string) => {
      try {
        const netns = await nodeNetns(node);
        const shell = process.env.SHELL && existsSync(process.env.SHELL) ? process.env.SHELL : '/bin/sh';
        process.stderr.write(`nslab: shell in ${netns}; exit to leave\n`);
        process.exitCode = await runAttached(['ip', 'netns', 'exec', netns, shell]);
      } catch (err) {
        process.exitCode = reportError(err, false);
      }
    });

  program
    .command('exec')
    .argument('<node>', 'node whose network namespace to enter')
    .argument('<command...>', 'command and arguments (after --)')
    .passThroughOptions()
    .description('run a command inside a node’s network namespace, like `ip netns exec`')
    .action(async (node: string, command: string[]) => {
      try {
        const netns = await nodeNetns(node);
        const argv = command[0] === '--' ? command.slice(1) : command;
        if (argv.length === 0) throw new NslabError('invalid-params', 'no command given: nslab exec NODE -- CMD ARGS…', { field: 'command' });
        process.exitCode = await runAttached(['ip', 'netns', 'exec', netns, ...argv]);
      } catch (err) {
        process.exitCode = reportError(err, false);
      }
    });
}
