// Spawning for the benchmarks: argv arrays only (execFile, never a shell string), optional stdin.
import { execFile } from 'node:child_process';

/** Runs argv; resolves { stdout, stderr, ms } or rejects with the command and its stderr. */
export function sh(argv, { input, env, allowFailure = false, timeoutMs = 60_000 } = {}) {
  const [program, ...args] = argv;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = execFile(program, args, { env: env ?? process.env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const ms = performance.now() - t0;
      if (err && !allowFailure) {
        const e = new Error(`${argv.join(' ')} failed (${err.code ?? err.signal}): ${String(stderr).trim() || err.message}`);
        e.stdout = stdout;
        e.stderr = stderr;
        reject(e);
      } else resolve({ stdout: String(stdout), stderr: String(stderr), ms, code: err ? (err.code ?? 1) : 0 });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const min = (xs) => Math.min(...xs);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
