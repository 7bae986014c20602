// Parses a YAML document against a zod schema; every error names the file, the line and the field.
// Shared by topologies and labs so both point at the same place in the same way.
import type { z } from 'zod';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import { NslabError, zodToNslabError } from '../shared/errors.js';
import { unknownKeyIssue } from '../shared/unknown-keys.js';

/** The line of the deepest node that exists on `path`: a missing key points at its parent. */
export function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as (string | number)[], true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** The line of the key itself (`endpoint:`), not of its value, which may start on the next line. */
function keyLineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1) as (string | number)[], true) : doc.contents;
  const key = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(path[path.length - 1]))?.key : undefined;
  return isNode(key) && key.range ? lineCounter.linePos(key.range[0]).line : lineOf(doc, lineCounter, path);
}

export function parseYamlWith<S extends z.ZodType>(schema: S, yamlText: string, file: string, prepare?: (raw: unknown) => unknown): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lineCounter.linePos(syntax.pos[0]);
    throw new NslabError('invalid-params', `${file}:${pos.line}: ${syntax.message.split('\n')[0]}`, { file, line: pos.line });
  }
  // Resolving aliases can still fail after a clean parse (an alias before its anchor, an alias bomb past
  // maxAliasCount): that is the file's fault, not the helper's.
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    throw new NslabError('invalid-params', `${file}: ${err instanceof Error ? err.message : String(err)}`, { file });
  }
  const parsed = schema.safeParse(prepare ? prepare(raw) : raw);
  if (parsed.success) return parsed.data;
  // A typo'd key also makes the key it was meant to be "missing": naming the typo says what to fix.
  const unknown = unknownKeyIssue(schema, parsed.error.issues);
  const base = zodToNslabError(parsed.error);
  const path = unknown?.path ?? parsed.error.issues[0]?.path ?? [];
  const line = unknown ? keyLineOf(doc, lineCounter, path) : lineOf(doc, lineCounter, path);
  const where = line === undefined ? file : `${file}:${line}`;
  const field = unknown ? path.map(String).join('.') : undefined;
  const message = unknown ? `${field}: ${unknown.message}` : base.message;
  throw new NslabError('invalid-params', `${where}: ${message}`, { ...base.data, ...(field ? { field } : {}), file, ...(line === undefined ? {} : { line }) });
}
