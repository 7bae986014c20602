import { describe, expect, it } from 'vitest';
import { parseLab } from '../../electron/helper/labs/catalogue.js';
import { parseTopology } from '../../electron/helper/topology/load.js';
import { closestKey } from '../../electron/shared/unknown-keys.js';

const topology = ['name: typo', 'nodes:', '  - name: red', '  - name: blue', 'links:', '  - endpoint:', '      - { node: red, name: veth0 }', '      - { node: blue, name: veth1 }'].join('\n');

describe('unknown YAML keys are named with the closest valid key', () => {
  it('a topology link with `endpoint:` says did you mean endpoints, at its line', () => {
    expect(() => parseTopology(topology, 'typo.yaml')).toThrow(/^typo\.yaml:6:5: links\.0\.endpoint: unknown key 'endpoint' — did you mean 'endpoints'\?/);
    try {
      parseTopology(topology, 'typo.yaml');
    } catch (err) {
      expect(err).toMatchObject({ code: 'invalid-params', data: { field: 'links.0.endpoint', line: 6 } });
    }
  });

  it('lists the keys of the link kind the document chose: a veth link (no kind) is told a veth link’s keys', () => {
    expect(() => parseTopology(topology, 'typo.yaml')).toThrow(/allowed here: kind, endpoints$/);
    const vxlan = ['name: typo', 'nodes:', '  - name: red', 'links:', '  - { kind: vxlan, node: red, name: vx0, vni: 42, remote: 192.0.2.2, vnii: 1 }'].join('\n');
    expect(() => parseTopology(vxlan, 'typo.yaml')).toThrow(/unknown key 'vnii' — did you mean 'vni'\?; allowed here: kind, node, name, vni, remote, local, dstport, dev, addresses, master, mtu$/);
  });

  it('a lab step with a typo in a nested key names it too', () => {
    const lab = [
      'id: typo-lab', 'level: beginner', 'minutes: 5', 'topics: [netns]', 'title: { en: T, ko: T }', 'summary: { en: S, ko: S }',
      'topology:', '  nodes: [{ name: a }]', '  links: []',
      'steps:', '  - id: one', '    title: { en: T, ko: T }', '    goal: { en: G, ko: G }', '    chek:', '      - { probe: link, node: a, name: lo }',
    ].join('\n');
    expect(() => parseLab(lab, 'typo-lab.yaml')).toThrow(/typo-lab\.yaml:14: steps\.0\.chek: unknown key 'chek' — did you mean 'check'\?/);
  });

  it('suggests nothing for a key unlike any valid one', () => {
    expect(closestKey('zzzzzz', ['nodes', 'links'])).toBeNull();
    expect(closestKey('node', ['nodes', 'links'])).toBe('nodes');
  });
});
