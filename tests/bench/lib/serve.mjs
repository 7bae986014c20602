// `nslab serve` for the benchmarks: on a free port, with the given ledger, resolved once it prints its URL.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './proc.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = join(ROOT, 'bin', 'nslab.mjs');

/** Resolves { child, url, urlMs (since t0), stop }; if no URL comes, the process is stopped and it rejects. */
export async function startServe({ stateDir, t0 = performance.now() }) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { cwd: ROOT, env: { ...process.env, NSLAB_STATE_DIR: stateDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise((r) => child.once('exit', r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  try {
    const url = await new Promise((resolve, reject) => {
      const onData = (d) => {
        out += d;
        const m = /nslab: browser mode at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
        if (m) resolve(m[1]);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`nslab serve exited (${code}): ${out}`)));
      setTimeout(() => reject(new Error(`nslab serve printed no URL in 20 s: ${out}`)), 20_000).unref();
    });
    return { child, url, urlMs: performance.now() - t0, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
