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

const markedNetnsNow = (): string[] => sh(['ip', 'netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith('nslab-'));
const markedRootLinksNow = (): string[] =>
  sh(['ip', '-o', 'link', 'show']).split('\n').map((l) => l.split(': ')[1]?.split('@')[0] ?? '').filter((n) => n.startsWith('nslab-'));
/**
 * `nslab-` objects already on the kernel when this test file was loaded: left by another run (one killed
 * mid-way, say), not made by this file. They are neither this file's to judge nor to touch, so the
 * "nothing left" checks below leave them out; the before/after comparisons still cover them.
 */
const FOREIGN = new Set([...markedNetnsNow(), ...markedRootLinksNow()]);
if (FOREIGN.size) console.warn(`nslab- objects this test file did not make, left alone: ${[...FOREIGN].join(' ')}`);
export const markedNetns = (): string[] => markedNetnsNow().filter((n) => !FOREIGN.has(n));
export const markedRootLinks = (): string[] => markedRootLinksNow().filter((n) => !FOREIGN.has(n));
