import { rmSync } from 'node:fs';
import type { Server } from 'node:net';
import { join } from 'node:path';
import type { Command } from 'commander';
import { defaultStateDir, openCore } from '../../helper/core.js';
import { useSpawner } from '../../helper/exec/spawner.js';
import { stopWhenIdle } from '../../helper/rpc/idle.js';
import { endProcessesInSandbox, userNamespaceOf } from '../../helper/sandbox-leftovers.js';
import { serveSocket, serveStdio } from '../../helper/rpc/transports.js';
import { NslabError } from '../../shared/errors.js';
import { printJson, reportError } from '../output.js';
import { runningSandbox, sandboxPaths, stopSandbox } from '../sandbox/background.js';
import { GRACE_OPTION, configureTerminals, parseGrace } from '../terminal-grace.js';
import { corePipe } from '../upstream.js';

function parseIdle(text: string): number {
  if (!/^\d+$/.test(text)) throw new NslabError('invalid-params', `--idle-timeout must be a whole number of seconds (0 = never), not '${text}'`, { field: 'idle-timeout' });
  return Number(text);
}

export function registerHelper(program: Command): void {
  const helper = program
    .command('helper')
    .option('--stdio', 'speak JSON-RPC on stdin/stdout (the parent process owns this helper)')
    .option('--socket <path>', 'Unix socket to listen on (default: helper.sock in the private state directory)')
    .option(...GRACE_OPTION)
    .option('--idle-timeout <seconds>', 'stop after this long with no client connected (0 = never)', '0')
    .description('start the privileged helper (`helper stop` / `helper status`: the background sandbox helper)')
    .action(async (opts: { stdio?: boolean; socket?: string; terminalGrace?: string; idleTimeout: string }) => {
      // A helper always listens on a socket too, so `nslab` in another terminal talks to it instead of
      // waiting for the ledger lock it holds.
      const socket = opts.socket ?? join(defaultStateDir(), 'helper.sock');
      try {
        const graceMs = parseGrace(opts.terminalGrace);
        const idle = parseIdle(opts.idleTimeout);
        // A long-lived helper starts its programs from a small process of its own (see exec/spawner.ts).
        useSpawner();
        const core = await openCore({ socket });
        if (graceMs !== undefined) await configureTerminals(async () => corePipe(core), graceMs);
        const listening: { server?: Server } = {}; // set once the socket listens; stop() may come before
        let stopping = false;
        const stop = (): void => {
          if (stopping) return;
          stopping = true;
          // No new client from here on, and no socket file left behind in the state directory.
          if (listening.server) {
            listening.server.close();
            rmSync(socket, { force: true });
          }
          core.close();
          // A sandbox helper takes what still runs in its namespaces with it (see sandbox-leftovers.ts).
          const ns = core.ctx.mode === 'sandbox' ? userNamespaceOf('self') : null;
          void (ns ? endProcessesInSandbox(ns) : Promise.resolve(0)).finally(() => process.exit(0));
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
        const server = (listening.server = await serveSocket(socket, core.dispatch, core.ctx.bus));
        if (idle > 0 && !opts.stdio) {
          stopWhenIdle(server, idle * 1000, () => {
            process.stderr.write(`nslab helper ${process.pid}: no client for ${idle} s, stopping\n`);
            stop();
          });
        }
        if (opts.stdio) {
          serveStdio(core.dispatch, core.ctx.bus);
          process.stdin.on('end', stop);
        }
        process.stderr.write(`nslab helper ${process.pid} (${core.ctx.mode} mode) ready on ${opts.stdio ? 'stdio and ' : ''}${socket}\n`);
      } catch (err) {
        process.exitCode = reportError(err, false);
      }
    });

  helper
    .command('stop')
    .option('--json', 'print the outcome as JSON')
    .description('stop the background sandbox helper (its namespaces, and everything built in them, go with it)')
    .action(async (opts: { json?: boolean }) => {
      try {
        const stopped = await stopSandbox();
        if (opts.json) return printJson({ mode: 'sandbox', stopped: stopped !== null, ...(stopped ?? {}) });
        process.stdout.write(
          stopped
            ? `stopped the sandbox helper ${stopped.pid}${stopped.forced ? ' (killed: it did not stop on SIGTERM)' : ''}${stopped.ended ? `; ended ${stopped.ended} process(es) still running in it` : ''}\n`
            : 'no sandbox helper is running\n',
        );
      } catch (err) {
        process.exitCode = reportError(err, !!opts.json);
      }
    });

  helper
    .command('status')
    .option('--json', 'print as JSON')
    .description('whether a background sandbox helper is running, and where')
    .action(async (opts: { json?: boolean }) => {
      try {
        const paths = sandboxPaths();
        const running = await runningSandbox(paths);
        if (opts.json) return printJson({ mode: 'sandbox', running: running !== null, ...(running ?? {}), stateDir: paths.stateDir, log: paths.log });
        process.stdout.write(running ? `sandbox helper ${running.pid} on ${running.socket}\n` : `no sandbox helper is running (state in ${paths.stateDir})\n`);
      } catch (err) {
        process.exitCode = reportError(err, !!opts.json);
      }
    });
}
