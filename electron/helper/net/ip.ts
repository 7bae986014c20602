// Thin wrappers over `ip`: JSON reads and batched writes, always through exec.ts.
import { NslabError } from '../../shared/errors.js';
import { shellLine } from '../../shared/shell.js';
import { run, type RunOptions } from '../exec/run.js';

/** `null` is the root namespace. */
export type Netns = string | null;

const nsArgs = (netns: Netns): string[] => (netns ? ['-n', netns] : []);

/**
 * Parses the concatenated JSON documents `ip -j -batch` prints (one per command), without assuming
 * anything about the whitespace between them.
 */
export function parseJsonSequence(text: string): unknown[] {
  const docs: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === ']' || c === '}') {
      if (--depth === 0) docs.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return docs;
}

/** `ip -j [-n NS] ARGS…` → parsed JSON (an empty array when `ip` prints nothing). */
export async function ipJson(netns: Netns, args: string[], opts: RunOptions = {}): Promise<unknown> {
  const { stdout } = await run(['ip', '-j', ...nsArgs(netns), ...args], opts);
  const docs = parseJsonSequence(stdout);
  return docs[0] ?? [];
}

/** Several reads in one process: `ip -j -d [-n NS] -batch -`, one JSON document per line. */
export async function ipJsonBatch(netns: Netns, lines: string[][], opts: RunOptions = {}): Promise<unknown[]> {
  const { stdout } = await run(['ip', '-j', '-d', ...nsArgs(netns), '-batch', '-'], {
    ...opts,
    input: lines.map((l) => l.join(' ')).join('\n') + '\n',
  });
  const docs = parseJsonSequence(stdout);
  if (docs.length !== lines.length) {
    throw new NslabError('internal', `ip -batch answered ${docs.length} documents for ${lines.length} commands`);
  }
  return docs;
}

/**
 * Changes in one process: `ip [-n NS] -batch -`. Each line is reported as the command a person would type.
 * Every word is validated before it gets here; batch lines are split on whitespace by `ip`, so a word
 * with whitespace would be a bug — refuse it.
 */
export async function ipBatch(netns: Netns, lines: string[][], opts: RunOptions = {}): Promise<void> {
  if (lines.length === 0) return;
  for (const line of lines) {
    for (const word of line) {
      if (word === '' || /\s|["'\\#]/.test(word)) throw new NslabError('invalid-params', `unsafe word in an ip batch: ${JSON.stringify(word)}`);
    }
  }
  await run(['ip', ...nsArgs(netns), '-batch', '-'], {
    ...opts,
    change: true,
    input: lines.map((l) => l.join(' ')).join('\n') + '\n',
    shell: lines.map((l) => shellLine(['ip', ...nsArgs(netns), ...l])),
  });
}
