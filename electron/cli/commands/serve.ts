// `nslab serve`: browser mode. Prints the tokenised URL as the first line of stdout, then serves until
// SIGINT/SIGTERM. The web layer gets the helper connection from here (it may import only electron/shared).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { NslabError } from '../../shared/errors.js';
import { startWebServer } from '../../web/server.js';
import { reportError } from '../output.js';
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

export function registerServe(program: Command): void {
  program
    .command('serve')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 picks a free one)', '0')
    .option('--host <addr>', 'loopback address to bind (browser mode never listens beyond this machine)', '127.0.0.1')
    .description('browser mode: serve the app and the helper relay on 127.0.0.1 behind a random token')
    .action(async (opts: { port: string; host: string }) => {
      let link: HelperLink | undefined;
      try {
        const port = parsePort(opts.port);
        link = await openHelperLink();
        const helper = link;
        const dir = rendererDir();
        const server = await startWebServer({
          rendererDir: dir,
          host: opts.host,
          port,
          connect: () => helper.connect(),
          log: (line) => void process.stderr.write(`nslab serve: ${line}\n`),
        });
        process.stdout.write(`nslab: browser mode at ${server.url}\n`);
        process.stderr.write(`nslab serve: ${helper.describe()}; renderer ${existsSync(join(dir, 'index.html')) ? dir : 'not built (run npm run build)'}; Ctrl-C stops\n`);
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
