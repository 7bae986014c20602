// Parses a YAML document against a zod schema; every error names the file, the line (and column) and the
// field. Shared by topologies, labs and the audit catalogue so all point at the same place in the same way.
import type { z } from 'zod';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import { NslabError, zodToNslabError } from '../shared/errors.js';
import { unknownKeyIssues } from '../shared/unknown-keys.js';

/** One problem in a document, where a person would look for it (1-based line and column). */
export interface YamlDiagnostic {
  message: string;
  /** Dotted path of the field, e.g. `links.0.endpoints.1.name`; absent for a syntax error. */
  field?: string;
  line?: number;
  col?: number;
}

export interface Position {
  line: number;
  col: number;
}

type Path = readonly PropertyKey[];
const MAX_DIAGNOSTICS = 50;

/** The position of the deepest node that exists on `path`: a missing key points at its parent. */
export function positionOf(doc: Document, lineCounter: LineCounter, path: Path): Position | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as (string | number)[], true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]);
  }
  return undefined;
}

/** The line of the deepest node that exists on `path`. */
export const lineOf = (doc: Document, lineCounter: LineCounter, path: Path): number | undefined => positionOf(doc, lineCounter, path)?.line;

/** The position of the key itself (`endpoint:`), not of its value, which may start on the next line. */
function keyPositionOf(doc: Document, lineCounter: LineCounter, path: Path): Position | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1) as (string | number)[], true) : doc.contents;
  const key = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(path[path.length - 1]))?.key : undefined;
  return isNode(key) && key.range ? lineCounter.linePos(key.range[0]) : positionOf(doc, lineCounter, path);
}

const dotted = (path: Path): string => path.map(String).join('.');
const samePath = (a: Path, b: Path): boolean => a.length === b.length && a.every((k, i) => String(k) === String(b[i]));

/** zod's "expected array, received undefined" says less than "missing". */
function describeIssue(issue: z.core.$ZodIssue, present: boolean): string {
  if (present) return issue.message;
  const expected = /expected (\w+), received undefined/.exec(issue.message)?.[1];
  return `missing (${expected ? `expected ${expected}` : issue.message})`;
}

export type YamlCheck<T> = { ok: true; value: T } | { ok: false; diagnostics: YamlDiagnostic[]; data: Record<string, unknown> };

/**
 * Every problem in the document, first the ones that explain the rest: a syntax error, then each unknown
 * key (named with the closest valid one; the key it was meant to be is then "missing", which is not said
 * again), then zod's issues in its own order.
 */
export function checkYaml<S extends z.ZodType>(schema: S, yamlText: string, prepare?: (raw: unknown) => unknown): YamlCheck<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const diagnostics = doc.errors.slice(0, MAX_DIAGNOSTICS).map((e) => ({ message: e.message.split('\n')[0]!, ...lineCounter.linePos(e.pos[0]) }));
    return { ok: false, diagnostics, data: {} };
  }
  // Resolving aliases can still fail after a clean parse (an alias before its anchor, an alias bomb past
  // maxAliasCount): that is the file's fault, not the helper's.
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    return { ok: false, diagnostics: [{ message: (err instanceof Error ? err.message : String(err)).split('\n')[0]! }], data: {} };
  }
  const input = prepare ? prepare(raw) : raw;
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };

  const unknown = unknownKeyIssues(schema, parsed.error.issues, input);
  const explained = (path: Path): boolean => unknown.some((u) => u.near !== null && samePath([...u.path.slice(0, -1), u.near], path));
  const diagnostics: YamlDiagnostic[] = unknown.map((u) => ({ field: dotted(u.path), message: `${dotted(u.path)}: ${u.message}`, ...keyPositionOf(doc, lineCounter, u.path) }));
  const said = new Set<string>();
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') continue;
    // One problem per field: a bad name fails several of its rules at once, and the first says enough.
    const key = dotted(issue.path);
    if (said.has(key)) continue;
    said.add(key);
    const present = doc.hasIn(issue.path as (string | number)[]) || issue.path.length === 0;
    if (!present && explained(issue.path)) continue;
    const field = dotted(issue.path);
    diagnostics.push({ ...(field ? { field } : {}), message: `${field ? `${field}: ` : ''}${describeIssue(issue, present)}`, ...positionOf(doc, lineCounter, issue.path) });
  }
  return { ok: false, diagnostics: diagnostics.slice(0, MAX_DIAGNOSTICS), data: zodToNslabError(parsed.error).data };
}

export interface ParseOptions {
  /** `file:line:col:` rather than `file:line:` (topologies, whose editor shows columns). */
  columns?: boolean;
}

/** The document's value, or an `invalid-params` error naming the first problem; all of them in `data.diagnostics`. */
export function parseYamlWith<S extends z.ZodType>(schema: S, yamlText: string, file: string, prepare?: (raw: unknown) => unknown, options: ParseOptions = {}): z.output<S> {
  const check = checkYaml(schema, yamlText, prepare);
  if (check.ok) return check.value;
  const first = check.diagnostics[0] ?? { message: 'invalid document' };
  const at = first.line === undefined ? file : options.columns ? `${file}:${first.line}:${first.col}` : `${file}:${first.line}`;
  const { code: _code, ...data } = check.data;
  throw new NslabError('invalid-params', `${at}: ${first.message}`, {
    ...data,
    ...(first.field ? { field: first.field } : {}),
    file,
    ...(first.line === undefined ? {} : { line: first.line, col: first.col }),
    diagnostics: check.diagnostics,
  });
}
