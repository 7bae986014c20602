// Runs the built `nslab` CLI the way a user does, with a private ledger per test file.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const NSLAB = join(ROOT, 'bin/nslab.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function tempStateDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function nslab(stateDir: string, args: string[], input?: string): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [NSLAB, ...args], { env: { ...process.env, NSLAB_STATE_DIR: stateDir }, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export async function nslabJson<T = unknown>(stateDir: string, args: string[]): Promise<T> {
  const r = await nslab(stateDir, args);
  if (r.code !== 0) throw new Error(`nslab ${args.join(' ')} failed (${r.code}): ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const sh = (argv: string[]): string => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }).stdout ?? '';

/** What the "clean kernel" rule compares before and after: namespaces, links, firewall rules. */
export function kernelState(): string {
  return [
    sh(['ip', 'netns', 'list']),
    sh(['ip', '-o', 'link', 'show']).replace(/\s+link\/.*$/gm, '').replace(/state \S+/g, ''),
    sh(['iptables-save']).replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, ''),
    sh(['nft', 'list', 'ruleset']),
  ].join('\n---\n');
}

export const markedNetns = (): string[] => sh(['ip', 'netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith('nslab-'));
export const markedRootLinks = (): string[] =>
  sh(['ip', '-o', 'link', 'show']).split('\n').map((l) => l.split(': ')[1]?.split('@')[0] ?? '').filter((n) => n.startsWith('nslab-'));
