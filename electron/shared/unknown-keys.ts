// An unknown key in a document (a YAML typo such as `endpoint:`) is named with the closest valid key. zod
// reports a missing required key before the unrecognized one, so the unknown key is looked for first.
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  items?: z.ZodType[];
  getter?: () => z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object keys a schema accepts at `path` (unwrapping optional/default/pipe/array/union). */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return keysAt(def.innerType!, path);
    case 'pipe':
      return [...new Set([...keysAt(def.in!, path), ...(defOf(def.in!).type === 'transform' ? keysAt(def.out!, path) : [])])];
    case 'lazy':
      return keysAt(def.getter!(), path);
    case 'union':
      return [...new Set(def.options!.flatMap((o) => keysAt(o, path)))];
  }
  if (path.length === 0) return def.type === 'object' ? Object.keys(def.shape!) : [];
  const [head, ...rest] = path;
  if (def.type === 'object') {
    const next = def.shape![String(head)];
    return next ? keysAt(next, rest) : [];
  }
  if (def.type === 'array') return keysAt(def.element!, rest);
  if (def.type === 'tuple') {
    const next = def.items![Number(head)];
    return next ? keysAt(next, rest) : [];
  }
  return [];
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** The valid key nearest to `key`, if it is near enough to be a typo. */
export function closestKey(key: string, valid: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const v of valid) {
    const d = editDistance(key.toLowerCase(), v.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [v, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : null;
}

export interface UnknownKeyIssue {
  path: PropertyKey[];
  key: string;
  /** The valid key it is probably a typo of. */
  near: string | null;
  message: string;
}

/** Every unrecognized key among the issues, each described with what is allowed where it stands. */
export function unknownKeyIssues(schema: z.ZodType, issues: readonly Issue[]): UnknownKeyIssue[] {
  return issues
    .filter((i): i is z.core.$ZodIssueUnrecognizedKeys => i.code === 'unrecognized_keys')
    .flatMap((issue) => {
      const valid = keysAt(schema, issue.path).filter((k) => !issue.keys.includes(k));
      const allowed = valid.length ? `; allowed here: ${valid.join(', ')}` : '';
      return issue.keys.map((key) => {
        const near = closestKey(key, valid);
        return { path: [...issue.path, key], key, near, message: `unknown key '${key}'${near ? ` — did you mean '${near}'?` : ''}${allowed}` };
      });
    });
}

/** The first unrecognized key among the issues, described with what is allowed there. */
export function unknownKeyIssue(schema: z.ZodType, issues: readonly Issue[]): UnknownKeyIssue | null {
  return unknownKeyIssues(schema, issues)[0] ?? null;
}
