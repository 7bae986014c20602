// Mutations of a parsed YAML document (one value replaced by a hostile one, a key dropped, a stray or
// prototype key added) and of its text (truncated, a hostile snippet spliced in), for the YAML fuzz tests.
import fc from 'fast-check';
import { hostileValue } from './hostile.js';

type Path = (string | number)[];

function paths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function setAt(root: unknown, path: Path, fn: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  if (path.length === 0) return root;
  let parent = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  fn(parent, path[path.length - 1]!);
  return root;
}

const ACTIONS = ['replace', 'replace', 'replace', 'delete', 'stray', 'proto', 'wrap', 'duplicate'] as const;

/** One structural mutation of `doc` (a JSON-like value), chosen by fast-check. */
export function mutatedDoc(doc: unknown): fc.Arbitrary<unknown> {
  const all = paths(doc);
  return fc.tuple(fc.nat({ max: all.length - 1 }), fc.constantFrom(...ACTIONS), hostileValue).map(([i, action, value]) => {
    const copy = clone(doc);
    const path = all[i]!;
    if (path.length === 0) return action === 'replace' ? value : copy;
    return setAt(copy, path, (parent, key) => {
      if (action === 'replace') parent[key] = value;
      else if (action === 'delete' && Array.isArray(parent)) parent.splice(Number(key), 1);
      else if (action === 'delete') delete parent[key];
      else if (action === 'stray') parent[key] = { ...(typeof parent[key] === 'object' ? (parent[key] as object) : {}), typo: value };
      else if (action === 'proto') Object.defineProperty(parent, '__proto__', { value: { polluted: true }, enumerable: true, configurable: true, writable: true });
      else if (action === 'wrap') parent[key] = [parent[key]];
      else if (Array.isArray(parent)) parent.push(clone(parent[key]));
      else parent[`${String(key)}`] = clone(parent[key]);
    });
  });
}

const SNIPPETS = ['\t', ': ', '- ', '{', '}', '[', ']', '&a', '*a', '!!js/function "x"', '!!binary', '<<: *a', '%YAML 1.1\n', '---\n', '...\n', '\u0000', '\u001b', '#', '"', "'", '|', '>', '?', '\n  - ', '\nnodes:\n', '\uFEFF'];

/** One textual mutation: a snippet spliced in at some offset, or the text cut there. */
export function mutatedText(text: string): fc.Arbitrary<string> {
  return fc.tuple(fc.nat({ max: text.length }), fc.oneof(fc.constantFrom(...SNIPPETS), fc.constant(null))).map(([at, snippet]) =>
    snippet === null ? text.slice(0, at) : text.slice(0, at) + snippet + text.slice(at),
  );
}
