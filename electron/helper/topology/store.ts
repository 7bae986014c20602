// Applied topologies, kept as the YAML the user applied (so `show` knows the nodes and a re-apply can be
// compared), one file each under the state directory, with the node names beside it: `topology.list` answers
// on every page load, and parsing a 50-node star's YAML again cost ~45–60 ms of the helper's thread there.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppliedTopologies } from '../context.js';

export class TopologyStore implements AppliedTopologies {
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'topologies');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  save(name: string, yaml: string, nodes: string[]): void {
    writeFileSync(this.yamlFile(name), yaml, { mode: 0o600 });
    writeFileSync(this.nodesFile(name), JSON.stringify(nodes), { mode: 0o600 });
  }

  /** The node names saved with the YAML; null for a topology saved without them (an older state directory). */
  nodes(name: string): string[] | null {
    try {
      const nodes: unknown = JSON.parse(readFileSync(this.nodesFile(name), 'utf8'));
      return Array.isArray(nodes) && nodes.every((n) => typeof n === 'string') ? nodes : null;
    } catch {
      return null;
    }
  }

  private yamlFile(name: string): string {
    return join(this.dir, `${name}.yaml`);
  }

  private nodesFile(name: string): string {
    return join(this.dir, `${name}.nodes.json`);
  }

  load(name: string): string | null {
    try {
      return readFileSync(this.yamlFile(name), 'utf8');
    } catch {
      return null;
    }
  }

  remove(name: string): void {
    rmSync(this.yamlFile(name), { force: true });
    rmSync(this.nodesFile(name), { force: true });
  }

  list(): { name: string; appliedAt: string }[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => ({ name: f.slice(0, -5), appliedAt: statSync(join(this.dir, f)).mtime.toISOString() }));
  }
}
