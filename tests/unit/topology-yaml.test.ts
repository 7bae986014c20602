// A topology's problems at their line and column (topology.validate, `nslab topo apply FILE`, the paste
// dialog): nested zod paths mapped onto the YAML's nodes, unknown keys named with the closest valid one.
import { describe, expect, it } from 'vitest';
import { parseTopology, validateTopology } from '../../electron/helper/topology/load.js';

const lines = (...l: string[]): string => l.join('\n') + '\n';

describe('topology.validate', () => {
  it('maps a nested path (links.0.endpoints.1.addresses.0) to the line and column of the value', () => {
    const yaml = lines(
      'name: bad', //                                           1
      'nodes:', //                                              2
      '  - name: red', //                                       3
      '  - name: blue', //                                      4
      'links:', //                                              5
      '  - endpoints:', //                                      6
      '      - { node: red, name: eth0 }', //                   7
      '      - node: blue', //                                  8
      '        name: eth0', //                                  9
      '        addresses: [10.0.0.2/24, 10.0.0.3/99]', //       10
    );
    const r = validateTopology(yaml);
    expect(r.valid).toBe(false);
    expect(r.preview).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ field: 'links.0.endpoints.1.addresses.1', line: 10, col: 34 });
    expect(yaml.split('\n')[9]!.slice(33)).toMatch(/^10\.0\.0\.3\/99/);
  });

  it('lists every problem, each at its own place', () => {
    const yaml = lines('name: two', 'nodes:', '  - name: red', '    forwarding: maybe', '  - name: "bad name"');
    const r = validateTopology(yaml);
    expect(r.errors.map((e) => [e.field, e.line, e.col])).toEqual([
      ['nodes.0.forwarding', 4, 17],
      ['nodes.1.name', 5, 11],
    ]);
  });

  it('names an unknown key at the key, with the closest valid key, and does not also call that key missing', () => {
    const yaml = lines('name: typo', 'nodes:', '  - name: red', '  - name: blue', 'links:', '  - endpoint:', '      - { node: red, name: veth0 }', '      - { node: blue, name: veth1 }');
    const r = validateTopology(yaml);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ field: 'links.0.endpoint', line: 6, col: 5 });
    expect(r.errors[0]!.message).toMatch(/unknown key 'endpoint' — did you mean 'endpoints'\?; allowed here: kind, endpoints/);
  });

  it('says "missing" for a required key that is absent, at its parent', () => {
    const r = validateTopology(lines('name: m', 'nodes:', '  - forwarding: true'));
    expect(r.errors[0]).toMatchObject({ field: 'nodes.0.name', line: 3, col: 5 });
    expect(r.errors[0]!.message).toBe('nodes.0.name: missing (node name must be a string)');
    expect(validateTopology(lines('nodes: [{ name: red }]')).errors[0]).toMatchObject({ field: 'name', line: 1, col: 1 });
  });

  it('gives a syntax error its line and column', () => {
    const r = validateTopology('name: x\nnodes:\n  - name: red\n   bad: [\n');
    expect(r.valid).toBe(false);
    expect(r.errors[0]!.line).toBeGreaterThanOrEqual(3);
    expect(r.errors[0]!.col).toBeGreaterThanOrEqual(1);
    expect(r.errors[0]!.field).toBeUndefined();
  });

  it('refers to cross-references (a link to an undefined node) by place too', () => {
    const r = validateTopology(lines('name: x', 'nodes: [{ name: red }]', 'links:', '  - endpoints:', '      - { node: red, name: a }', '      - { node: ghost, name: b }'));
    expect(r.errors[0]).toMatchObject({ field: 'links.0.endpoints.1.node', line: 6, col: 17 });
    expect(r.errors[0]!.message).toMatch(/node 'ghost' is not defined in nodes/);
  });

  it('previews a good topology: nodes, namespaces and links', () => {
    const r = validateTopology(
      lines('name: pair', 'nodes:', '  - name: red', '    routes: [{ to: default, via: 10.0.0.2 }]', '  - { name: blue, forwarding: true }', 'links:', '  - endpoints:', '      - { node: red, name: veth0, addresses: [10.0.0.1/24] }', '      - { node: blue, name: veth1, addresses: [10.0.0.2/24] }'),
    );
    expect(r).toEqual({
      valid: true,
      errors: [],
      preview: {
        name: 'pair',
        nodes: [
          { name: 'red', netns: 'nslab-red', forwarding: false, bridges: [], routes: ['default via 10.0.0.2'] },
          { name: 'blue', netns: 'nslab-blue', forwarding: true, bridges: [], routes: [] },
        ],
        links: [{ a: { node: 'red', name: 'veth0', addresses: ['10.0.0.1/24'] }, b: { node: 'blue', name: 'veth1', addresses: ['10.0.0.2/24'] } }],
        vxlans: [],
      },
    });
  });
});

describe('parseTopology (topology.apply, nslab topo apply)', () => {
  it('throws file:line:col with every problem in data.diagnostics', () => {
    const yaml = lines('name: two', 'nodes:', '  - name: red', '    forwarding: maybe', '  - name: "bad name"');
    try {
      parseTopology(yaml, 'two.yaml');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/^two\.yaml:4:17: nodes\.0\.forwarding: /);
      expect(err).toMatchObject({ code: 'invalid-params', data: { field: 'nodes.0.forwarding', line: 4, col: 17, file: 'two.yaml' } });
      expect((err as { data: { diagnostics: unknown[] } }).data.diagnostics).toHaveLength(2);
    }
  });
});
