// Reads a topology's YAML and validates it; errors name the file, line and field.
import { LineCounter, parseDocument, isNode } from 'yaml';
import { TopologySpec } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { zodToNslabError } from '../rpc/dispatcher.js';

export function parseTopology(yamlText: string, file = '<topology>'): TopologySpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lineCounter.linePos(syntax.pos[0]);
    throw new NslabError('invalid-params', `${file}:${pos.line}: ${syntax.message.split('\n')[0]}`, { file, line: pos.line });
  }
  const parsed = TopologySpec.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const base = zodToNslabError(parsed.error);
  const path = parsed.error.issues[0]?.path ?? [];
  // The deepest node that exists for the failing path: a missing key points at its parent.
  let line: number | undefined;
  for (let depth = path.length; depth >= 0 && line === undefined; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as (string | number)[], true);
    if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
  }
  const where = line === undefined ? file : `${file}:${line}`;
  throw new NslabError('invalid-params', `${where}: ${base.message}`, { ...base.data, file, ...(line === undefined ? {} : { line }) });
}
