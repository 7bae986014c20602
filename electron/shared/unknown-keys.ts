// An unknown key in a document (a YAML typo such as `endpoint:`) is named with the closest valid key. zod
// reports a missing required key before the unrecognized one, so the unknown key is looked for first.
import type { z } from 'zod';
import { defOf, type ZodDef as Def } from './zod-def.js';

type Issue = z.core.$ZodIssue;

/** The option of a discriminated union that `data` selects (a missing discriminator counts where it has a default), if one does. */
function selectedOption(def: Def, data: unknown): z.ZodType | null {
  if (!def.discriminator || typeof data !== 'object' || data === null) return null;
  const value = (data as Record<string, unknown>)[def.discriminator];
  const matching = def.options!.filter((o) => defOf(o).shape?.[def.discriminator!]?.safeParse(value).success);
  return matching.length === 1 ? matching[0]! : null;
}

/**
 * The object keys a schema accepts at `path` (unwrapping optional/default/pipe/array/union). With the
 * document (`data`), a discriminated union answers for the option the document chose — a veth link's
 * typo is told a veth link's keys, not every link kind's.
 */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[], data?: unknown): string[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return keysAt(def.innerType!, path, data);
    case 'pipe':
      return [...new Set([...keysAt(def.in!, path, data), ...(defOf(def.in!).type === 'transform' ? keysAt(def.out!, path, data) : [])])];
    case 'lazy':
      return keysAt(def.getter!(), path, data);
    case 'union': {
      const chosen = selectedOption(def, data);
      return chosen ? keysAt(chosen, path, data) : [...new Set(def.options!.flatMap((o) => keysAt(o, path, data)))];
    }
  }
  if (path.length === 0) return def.type === 'object' ? Object.keys(def.shape!) : [];
  const [head, ...rest] = path;
  const inner = typeof data === 'object' && data !== null ? (data as Record<PropertyKey, unknown>)[head as PropertyKey] : undefined;
  if (def.type === 'object') {
    const next = def.shape![String(head)];
    return next ? keysAt(next, rest, inner) : [];
  }
  if (def.type === 'array') return keysAt(def.element!, rest, inner);
  if (def.type === 'tuple') {
    const next = def.items![Number(head)];
    return next ? keysAt(next, rest, inner) : [];
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
export function unknownKeyIssues(schema: z.ZodType, issues: readonly Issue[], data?: unknown): UnknownKeyIssue[] {
  return issues
    .filter((i): i is z.core.$ZodIssueUnrecognizedKeys => i.code === 'unrecognized_keys')
    .flatMap((issue) => {
      const valid = keysAt(schema, issue.path, data).filter((k) => !issue.keys.includes(k));
      const allowed = valid.length ? `; allowed here: ${valid.join(', ')}` : '';
      return issue.keys.map((key) => {
        const near = closestKey(key, valid);
        return { path: [...issue.path, key], key, near, message: `unknown key '${key}'${near ? ` — did you mean '${near}'?` : ''}${allowed}` };
      });
    });
}

/** The first unrecognized key among the issues, described with what is allowed there. */
export function unknownKeyIssue(schema: z.ZodType, issues: readonly Issue[], data?: unknown): UnknownKeyIssue | null {
  return unknownKeyIssues(schema, issues, data)[0] ?? null;
}
