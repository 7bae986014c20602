// The shipped labs (`resources/labs/*.yaml`), parsed and validated; a broken file names itself.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
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

/** Every lab, in learning order (`order`, then id); prerequisites must exist and come earlier. */
export function loadLabs(dir = labsDir()): LoadedLab[] {
  const labs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => loadFile(dir, f))
    .sort((a, b) => a.lab.order - b.lab.order || a.lab.id.localeCompare(b.lab.id));
  const position = new Map(labs.map((l, i) => [l.lab.id, i]));
  labs.forEach(({ lab, file }, i) => {
    for (const req of lab.requires) {
      const at = position.get(req);
      if (at === undefined) throw new NslabError('invalid-params', `${file}: requires '${req}', which is not a lab here`, { file, field: 'requires' });
      if (at >= i) throw new NslabError('invalid-params', `${file}: requires '${req}', which comes later in the order (order ${labs[at]!.lab.order} ≥ ${lab.order})`, { file, field: 'requires' });
    }
  });
  return labs;
}

/** One lab by id: only its own file is read, so one broken file does not take the others down. */
export function findLab(id: string, dir = labsDir()): LoadedLab {
  if (!LabId.safeParse(id).success || !existsSync(join(dir, `${id}.yaml`))) {
    throw new NslabError('not-found', `no lab named ${id}; \`nslab lab list\` shows them`, { field: 'id' });
  }
  return loadFile(dir, `${id}.yaml`);
}
