// Lists the import edges between the helper's folders (a top-level file counts as a node of its own) and
// fails when any of them form a cycle: a floor must not import the floor that imports it (issue 11).
// Usage: node scripts/helper-cycles.mjs [--edges]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve('electron/helper');

function* sources(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (path.endsWith('.ts')) yield path;
  }
}

/** The node a file belongs to: its first folder under electron/helper, or the top-level file itself. */
const nodeOf = (file) => relative(ROOT, file).split(sep)[0];

const edges = new Map();
for (const file of sources(ROOT)) {
  const from = nodeOf(file);
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)) {
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    if (!target.startsWith(ROOT + sep)) continue;
    const to = nodeOf(target);
    if (to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    const files = edges.get(from);
    if (!files.has(to)) files.set(to, new Set());
    files.get(to).add(relative(ROOT, file));
  }
}

// Tarjan's strongly connected components: any component of more than one node is a cycle.
let index = 0;
const stack = [];
const meta = new Map();
const cycles = [];
function visit(v) {
  meta.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!meta.has(w)) {
      visit(w);
      meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
    } else if (meta.get(w).onStack) meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
  }
  if (meta.get(v).low === meta.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      meta.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  }
}
for (const v of edges.keys()) if (!meta.has(v)) visit(v);

if (process.argv.includes('--edges')) {
  for (const [from, tos] of [...edges].sort()) console.log(`${from} → ${[...tos.keys()].sort().join(', ')}`);
}
for (const component of cycles) {
  console.log(`cycle: ${component.join(' ⇄ ')}`);
  for (const from of component)
    for (const [to, files] of edges.get(from) ?? []) if (component.includes(to)) console.log(`  ${from} → ${to}: ${[...files].join(', ')}`);
}
if (cycles.length) process.exit(1);
console.log('no cycles between the helper’s folders');
