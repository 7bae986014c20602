// Reads a topology's YAML and validates it; errors name the file, line and field.
import { TopologySpec } from '../../shared/contract/index.js';
import { parseYamlWith } from '../yaml.js';

export function parseTopology(yamlText: string, file = '<topology>'): TopologySpec {
  return parseYamlWith(TopologySpec, yamlText, file);
}
