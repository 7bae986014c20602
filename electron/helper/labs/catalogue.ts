// The shipped labs (`resources/labs/*.yaml`), parsed and validated; a broken file names itself.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LabId, LabSpec } from '../../shared/labs/index.js';
import { NslabError } from '../../shared/errors.js';
import { resourcesDir } from '../resources.js';
import { parseYamlWith } from '../yaml.js';

export interface LoadedLab {
  lab: LabSpec;
  file: string;
}

export function parseLab(yamlText: string, file = '<lab>'): LabSpec {
  return parseYamlWith(LabSpec, yamlText, file);
}

export const labsDir = (): string => join(resourcesDir(), 'labs');

function loadFile(dir: string, f: string): LoadedLab {
  const file = join(dir, f);
  const lab = parseLab(readFileSync(file, 'utf8'), file);
  if (`${lab.id}.yaml` !== f) throw new NslabError('invalid-params', `${file}:1: id '${lab.id}' must match the file name`, { file, line: 1, field: 'id' });
  return { lab, file };
}

/**
 * The catalogue last read from each directory, with what its files were then (name, size, mtime): parsing
 * and validating the shipped labs costs ~100–270 ms of the helper's thread, and `labs.list` (every time
 * the Labs panel opens) and `system.doctor` asked for it each time. A file added, removed or changed is
 * read again. Callers get a new array of the same (read-only) labs.
 */
const catalogues = new Map<string, { stamp: string; labs: LoadedLab[] }>();

function stampOf(dir: string, files: string[]): string {
  return files
    .map((f) => {
      const st = statSync(join(dir, f));
      return `${f}:${st.size}:${st.mtimeMs}`;
    })
    .join('/');
}

/** Every lab, in learning order (`order`, then id); prerequisites must exist and come earlier. */
export function loadLabs(dir = labsDir()): LoadedLab[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const stamp = stampOf(dir, files);
  const known = catalogues.get(dir);
  if (known?.stamp === stamp) return [...known.labs];
  const labs = files.map((f) => loadFile(dir, f)).sort((a, b) => a.lab.order - b.lab.order || a.lab.id.localeCompare(b.lab.id));
  const position = new Map(labs.map((l, i) => [l.lab.id, i]));
  labs.forEach(({ lab, file }, i) => {
    for (const req of lab.requires) {
      const at = position.get(req);
      if (at === undefined) throw new NslabError('invalid-params', `${file}: requires '${req}', which is not a lab here`, { file, field: 'requires' });
      if (at >= i) throw new NslabError('invalid-params', `${file}: requires '${req}', which comes later in the order (order ${labs[at]!.lab.order} ≥ ${lab.order})`, { file, field: 'requires' });
    }
  });
  catalogues.set(dir, { stamp, labs });
  return [...labs];
}

/** One lab by id: only its own file is read, so one broken file does not take the others down. */
export function findLab(id: string, dir = labsDir()): LoadedLab {
  if (!LabId.safeParse(id).success || !existsSync(join(dir, `${id}.yaml`))) {
    throw new NslabError('not-found', `no lab named ${id}; \`nslab lab list\` shows them`, { field: 'id' });
  }
  return loadFile(dir, `${id}.yaml`);
}
