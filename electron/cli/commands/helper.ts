import { join } from 'node:path';
import type { Command } from 'commander';
import { defaultStateDir, openCore } from '../../helper/core.js';
import { serveSocket, serveStdio } from '../../helper/rpc/transports.js';
import { reportError } from '../output.js';
import { GRACE_OPTION, configureTerminals, parseGrace } from '../terminal-grace.js';
import { corePipe } from '../upstream.js';

export function registerHelper(program: Command): void {
  program
    .command('helper')
    .option('--stdio', 'speak JSON-RPC on stdin/stdout (the parent process owns this helper)')
    .option('--socket <path>', 'Unix socket to listen on (default: helper.sock in the private state directory)')
    .option(...GRACE_OPTION)
    .description('start the privileged helper')
    .action(async (opts: { stdio?: boolean; socket?: string; terminalGrace?: string }) => {
      // A helper always listens on a socket too, so `nslab` in another terminal talks to it instead of
      // waiting for the ledger lock it holds.
      const socket = opts.socket ?? join(defaultStateDir(), 'helper.sock');
      try {
        const graceMs = parseGrace(opts.terminalGrace);
        const core = await openCore({ socket });
        if (graceMs !== undefined) await configureTerminals(async () => corePipe(core), graceMs);
        const stop = (): void => {
          core.close();
          process.exit(0);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
        await serveSocket(socket, core.dispatch, core.ctx.bus);
        if (opts.stdio) {
          serveStdio(core.dispatch, core.ctx.bus);
          process.stdin.on('end', stop);
        }
        process.stderr.write(`nslab helper ${process.pid} ready on ${opts.stdio ? 'stdio and ' : ''}${socket}\n`);
      } catch (err) {
        process.exitCode = reportError(err, false);
      }
    });
}
