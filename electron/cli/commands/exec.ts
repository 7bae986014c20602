// `nslab shell NODE` and `nslab exec NODE -- CMD…`: a program inside a node's network namespace, on the
// caller's own terminal.
//
// DESIGN: why these spawn in the CLI process and not behind the helper. The program must own the caller's
// terminal: its tty (raw mode, job control, window size), its signals (Ctrl-C, Ctrl-Z reach the program's
// process group, not nslab) and its exit code as the command's own. The helper is another process (often
// root through pkexec, or inside a user namespace) with no access to that tty; serving it would mean a pty
// in the helper and every keystroke over JSON-RPC, which is what the GUI's terminals do, not what a shell
// user expects from `ip netns exec`. Nothing is created, so there is nothing for the ledger: the helper is
// not needed. The spawn still goes through helper/exec/ (argv only, the only module allowed to spawn) and
// needs the same rights as `ip netns exec` itself. In sandbox mode it runs inside the background sandbox
// helper's namespaces (sandbox/enter.ts), where the nodes are.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { NslabError, zodToNslabError } from '../../shared/errors.js';
import { NodeName, netnsOf } from '../../shared/names.js';
import { runAttached } from '../../helper/exec/attached.js';
import { listNetns } from '../../helper/net/snapshot.js';
import { reportError } from '../output.js';
import { sandboxEntry } from '../sandbox/enter.js';
import { currentMode } from '../sandbox/mode.js';

/** The argv that runs `argv` in the node's namespace: `ip netns exec`, inside the sandbox in sandbox mode. */
async function inNode(node: string, argv: string[]): Promise<{ netns: string; argv: string[]; hold: () => () => void }> {
  const parsed = NodeName.safeParse(node);
  if (!parsed.success) throw zodToNslabError(parsed.error, 'node');
  const netns = netnsOf(parsed.data);
  const sandbox = currentMode() === 'sandbox' && !process.env.NSLAB_SOCKET ? await sandboxEntry() : null;
  const present = sandbox ? sandbox.netns : await listNetns();
  if (!present.includes(netns)) throw new NslabError('not-found', `node ${node} has no namespace (${netns} does not exist${sandbox ? ' in the sandbox' : ''})`, { field: 'node' });
  return { netns, argv: [...(sandbox?.prefix ?? []), 'ip', 'netns', 'exec', netns, ...argv], hold: sandbox ? sandbox.hold : () => () => undefined };
}

/** Runs the program on this terminal, counted as a client of the sandbox helper meanwhile. */
async function runInNode(target: { argv: string[]; hold: () => () => void }): Promise<number> {
  const release = target.hold();
  try {
    return await runAttached(target.argv);
  } finally {
    release();
  }
}

export function registerExec(program: Command): void {
  program
    .command('shell')
    .argument('<node>', 'node whose network namespace to enter')
    .description('open an interactive shell inside a node’s network namespace')
    .action(async (node: string) => {
      try {
        const shell = process.env.SHELL && existsSync(process.env.SHELL) ? process.env.SHELL : '/bin/sh';
        const target = await inNode(node, [shell]);
        process.stderr.write(`nslab: shell in ${target.netns} (${currentMode()} mode); exit to leave\n`);
        process.exitCode = await runInNode(target);
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
        const argv = command[0] === '--' ? command.slice(1) : command;
        if (argv.length === 0) throw new NslabError('invalid-params', 'no command given: nslab exec NODE -- CMD ARGS…', { field: 'command' });
        process.exitCode = await runInNode(await inNode(node, argv));
      } catch (err) {
        process.exitCode = reportError(err, false);
      }
    });
}
