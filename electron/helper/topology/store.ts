// Applied topologies, kept as the YAML the user applied (so `show` knows the nodes and a re-apply can be
// compared), one file each under the state directory.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppliedTopologies } from '../context.js';

export class TopologyStore implements AppliedTopologies {
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'topologies');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  save(name: string, yaml: string): void {
    writeFileSync(join(this.dir, `${name}.yaml`), yaml, { mode: 0o600 });
  }

  load(name: string): string | null {
    try {
      return readFileSync(join(this.dir, `${name}.yaml`), 'utf8');
    } catch {
      return null;
    }
  }

  remove(name: string): void {
    rmSync(join(this.dir, `${name}.yaml`), { force: true });
  }

  list(): { name: string; appliedAt: string }[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => ({ name: f.slice(0, -5), appliedAt: statSync(join(this.dir, f)).mtime.toISOString() }));
  }
}
