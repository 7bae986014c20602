import type { Command } from 'commander';
import { openCore } from '../../helper/core.js';
import { serveSocket, serveStdio } from '../../helper/rpc/transports.js';
import { reportError } from '../output.js';

export function registerHelper(program: Command): void {
  program
    .command('helper')
    .option('--stdio', 'speak JSON-RPC on stdin/stdout')
    .option('--socket <path>', 'listen on a Unix socket (created 0600 in a private directory)')
    .description('start the privileged helper')
    .action(async (opts: { stdio?: boolean; socket?: string }) => {
      if (!opts.stdio && !opts.socket) {
        process.stderr.write('nslab helper: give --stdio or --socket PATH\n');
        process.exitCode = 2;
        return;
      }
      try {
        const core = await openCore(opts.socket ? { socket: opts.socket } : {});
        const stop = (): void => {
          core.close();
          process.exit(0);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
        if (opts.socket) await serveSocket(opts.socket, core.dispatch, core.ctx.bus);
        if (opts.stdio) {
          serveStdio(core.dispatch, core.ctx.bus);
          process.stdin.on('end', stop);
        }
        process.stderr.write(`nslab helper ${process.pid} ready${opts.socket ? ` on ${opts.socket}` : ' on stdio'}\n`);
      } catch (err) {
        process.exitCode = reportError(err, false);
      }
    });
}
