// Parses a YAML document against a zod schema; every error names the file, the line and the field.
// Shared by topologies and labs so both point at the same place in the same way.
import type { z } from 'zod';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { NslabError, zodToNslabError } from '../shared/errors.js';

/** The line of the deepest node that exists on `path`: a missing key points at its parent. */
export function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as (string | number)[], true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

export function parseYamlWith<S extends z.ZodType>(schema: S, yamlText: string, file: string, prepare?: (raw: unknown) => unknown): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lineCounter.linePos(syntax.pos[0]);
    throw new NslabError('invalid-params', `${file}:${pos.line}: ${syntax.message.split('\n')[0]}`, { file, line: pos.line });
  }
  const raw = doc.toJS() as unknown;
  const parsed = schema.safeParse(prepare ? prepare(raw) : raw);
  if (parsed.success) return parsed.data;
  const base = zodToNslabError(parsed.error);
  const line = lineOf(doc, lineCounter, parsed.error.issues[0]?.path ?? []);
  const where = line === undefined ? file : `${file}:${line}`;
  throw new NslabError('invalid-params', `${where}: ${base.message}`, { ...base.data, file, ...(line === undefined ? {} : { line }) });
}
