// `nslab serve`: browser mode. Prints the tokenised URL as the first line of stdout, then serves until
// SIGINT/SIGTERM. It keeps its port and token across restarts (serve.json in the state directory, 0600),
// so an open page reconnects by itself; --new-token rotates the token, an explicit --port wins, and a
// kept port that another program took meanwhile is replaced by a free one, with a notice.
// The web layer gets the helper connection from here (it may import only electron/shared).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { defaultStateDir } from '../../helper/core.js';
import { formatDuration } from '../../shared/duration.js';
import { NslabError, toNslabError } from '../../shared/errors.js';
import { IDENTITY_FILE, loadIdentity, saveIdentity } from '../../web/identity.js';
import { newToken } from '../../web/auth.js';
import { startWebServer, type WebServer, type WebServerOptions } from '../../web/server.js';
import { reportError } from '../output.js';
import { GRACE_OPTION, configureTerminals, parseGrace } from '../terminal-grace.js';
import { openHelperLink, type HelperLink } from '../upstream.js';

/** out/renderer next to the CLI bundle (out/node/cli.mjs), or NSLAB_RENDERER_DIR. */
export function rendererDir(): string {
  if (process.env.NSLAB_RENDERER_DIR) return resolve(process.env.NSLAB_RENDERER_DIR);
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'renderer'), join(here, '..', '..', 'out', 'renderer'), join(here, '..', '..', '..', 'out', 'renderer')];
  return candidates.find((c) => existsSync(join(c, 'index.html'))) ?? candidates[0]!;
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(port) || port > 65535) throw new NslabError('invalid-params', `--port must be 0-65535, not '${text}'`, { field: 'port' });
  return port;
}

export interface ServeChoice {
  port: number;
  token: string;
  /** The port is the one kept from the last run (not --port): if it is taken, a free one will do. */
  keptPort: boolean;
  notes: string[];
}

/** Which port and token this run uses, from the flags and what the last run kept. */
export function chooseIdentity(stateDir: string, flags: { port?: string; newToken?: boolean }): ServeChoice {
  const kept = loadIdentity(stateDir);
  const notes: string[] = [];
  const explicit = flags.port === undefined ? undefined : parsePort(flags.port);
  const token = flags.newToken || !kept ? newToken() : kept.token;
  if (flags.newToken && kept) notes.push('a new token (--new-token): pages opened with the old one must open the new address');
  else if (kept) notes.push(`the token of the last run (${join(stateDir, IDENTITY_FILE)}; --new-token rotates it)`);
  const port = explicit ?? kept?.port ?? 0;
  return { port, token, keptPort: explicit === undefined && kept !== null, notes };
}

/** Starts on the chosen port; a kept port that is taken now gives way to a free one, said plainly. */
export async function startOnChoice(choice: ServeChoice, opts: Omit<WebServerOptions, 'port' | 'token'>, say: (line: string) => void): Promise<WebServer> {
  try {
    return await startWebServer({ ...opts, port: choice.port, token: choice.token });
  } catch (err) {
    const e = toNslabError(err);
    if (!choice.keptPort || e.code !== 'busy') throw err;
    const server = await startWebServer({ ...opts, port: 0, token: choice.token });
    say(
      `port ${choice.port} (kept from the last run) is taken by another program; serving on ${server.port} instead. ` +
        `Pages open at the old address cannot reconnect: open the new one. Free the port and use --port ${choice.port} to get it back.`,
    );
    return server;
  }
}

interface ServeFlags {
  port?: string;
  host: string;
  newToken?: boolean;
  terminalGrace?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .option('--port <n>', 'TCP port on 127.0.0.1 (default: the one of the last run, else a free one; 0 picks a free one)')
    .option('--host <addr>', 'loopback address to bind (browser mode never listens beyond this machine)', '127.0.0.1')
    .option('--new-token', 'make a new token instead of keeping the last run’s (pages with the old one must open the new address)')
    .option(...GRACE_OPTION)
    .description('browser mode: serve the app and the helper relay on 127.0.0.1 behind a token, keeping port and token across restarts')
    .action(async (opts: ServeFlags) => {
      let link: HelperLink | undefined;
      const say = (line: string): void => void process.stderr.write(`nslab serve: ${line}\n`);
      try {
        const stateDir = defaultStateDir();
        const choice = chooseIdentity(stateDir, opts);
        const graceMs = parseGrace(opts.terminalGrace);
        link = await openHelperLink();
        const helper = link;
        if (graceMs !== undefined) await configureTerminals(() => helper.connect(), graceMs);
        const dir = rendererDir();
        const server = await startOnChoice(choice, { rendererDir: dir, host: opts.host, connect: () => helper.connect(), log: say }, say);
        saveIdentity(stateDir, { port: server.port, token: server.token });
        // Notes first: whoever waits for the URL line (a test, a script) has them by then.
        for (const note of choice.notes) say(note);
        if (graceMs !== undefined) say(`terminals keep running ${formatDuration(graceMs)} after their last window closed`);
        say(`${helper.describe()}; renderer ${existsSync(join(dir, 'index.html')) ? dir : 'not built (run npm run build)'}; Ctrl-C stops`);
        process.stdout.write(`nslab: browser mode at ${server.url}\n`);
        // Ctrl-C reaches the whole process group and `npm start` forwards it too: a second signal must
        // not kill us halfway through releasing the ledger lock.
        let stopping = false;
        const stop = (): void => {
          if (stopping) return;
          stopping = true;
          void server
            .close()
            .then(() => helper.close())
            .finally(() => process.exit(0));
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      } catch (err) {
        await link?.close();
        process.exitCode = reportError(err, false);
      }
    });
}
