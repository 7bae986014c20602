// Reads a topology's YAML and validates it; errors name the file, line, column and field.
import { TopologySpec, type Result, type TopologyPreview, type TopologySpecInput } from '../../shared/contract/index.js';
import { netnsOf } from '../../shared/names.js';
import { checkYaml, parseYamlWith } from '../yaml.js';

export function parseTopology(yamlText: string, file = '<topology>'): TopologySpec {
  return parseYamlWith(TopologySpec, yamlText, file, undefined, { columns: true });
}

/** A spec built by code, with its text: checked by the schema alone (no text to parse); a bad one fails as its text would. */
export function checkTopologyObject(spec: TopologySpecInput, yamlText: string, file?: string): TopologySpec {
  const checked = TopologySpec.safeParse(spec);
  return checked.success ? checked.data : parseTopology(yamlText, file);
}

function previewOf(spec: TopologySpec): TopologyPreview {
  return {
    name: spec.name,
    nodes: spec.nodes.map((n) => ({
      name: n.name,
      netns: netnsOf(n.name),
      forwarding: n.forwarding,
      bridges: n.bridges.map((b) => b.name),
      routes: n.routes.map((r) => `${r.to}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`),
    })),
    links: spec.links.flatMap((l) =>
      l.kind === 'veth'
        ? [{ a: { node: l.endpoints[0].node, name: l.endpoints[0].name, addresses: l.endpoints[0].addresses }, b: { node: l.endpoints[1].node, name: l.endpoints[1].name, addresses: l.endpoints[1].addresses } }]
        : [],
    ),
    vxlans: spec.links.flatMap((l) =>
      l.kind === 'vxlan' ? [{ node: l.node, name: l.name, addresses: l.addresses, vni: l.vni, remote: l.remote, dstport: l.dstport, ...(l.dev ? { dev: l.dev } : {}) }] : [],
    ),
  };
}

/** topology.validate: every problem with its position, or what an apply would build. */
export function validateTopology(yamlText: string): Result<'topology.validate'> {
  const check = checkYaml(TopologySpec, yamlText);
  return check.ok ? { valid: true, errors: [], preview: previewOf(check.value) } : { valid: false, errors: check.diagnostics, preview: null };
}
