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

export function loadLabs(dir = labsDir()): LoadedLab[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => loadFile(dir, f));
}

/** One lab by id: only its own file is read, so one broken file does not take the others down. */
export function findLab(id: string, dir = labsDir()): LoadedLab {
  if (!LabId.safeParse(id).success || !existsSync(join(dir, `${id}.yaml`))) {
    throw new NslabError('not-found', `no lab named ${id}; \`nslab lab list\` shows them`, { field: 'id' });
  }
  return loadFile(dir, `${id}.yaml`);
}
