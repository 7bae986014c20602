// The checklist catalogue: resources/audit/checklist.yaml, validated against the schema once per process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Catalogue } from '../../shared/audit/schema.js';
import { resourcesDir } from '../resources.js';
import { parseYamlWith } from '../yaml.js';

let cached: Catalogue | undefined;

export function loadCatalogue(file = join(resourcesDir(), 'audit', 'checklist.yaml')): Catalogue {
  if (cached && file === join(resourcesDir(), 'audit', 'checklist.yaml')) return cached;
  const catalogue = parseYamlWith(Catalogue, readFileSync(file, 'utf8'), file);
  cached = catalogue;
  return catalogue;
}
