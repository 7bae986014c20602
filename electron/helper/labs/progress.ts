// Progress per user and lab, one JSON file in the state directory (written whole, atomically).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabProgress } from '../../shared/contract/index.js';

type Store = Record<string, Record<string, LabProgress>>;

/** Whose progress: the person behind sudo/pkexec when the helper runs as root for them. */
export function currentUser(): string {
  return process.env.SUDO_USER || process.env.PKEXEC_UID || process.env.USER || String(process.getuid?.() ?? 'user');
}

export const emptyProgress = (): LabProgress => ({ startedAt: null, passed: [], hints: 0, solved: [], completedAt: null });

export class ProgressStore {
  private readonly file: string;

  constructor(stateDir: string, readonly user = currentUser()) {
    mkdirSync(join(stateDir, 'labs'), { recursive: true, mode: 0o700 });
    this.file = join(stateDir, 'labs', 'progress.json');
  }

  private read(): Store {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Store;
    } catch {
      return {};
    }
  }

  all(): Record<string, LabProgress> {
    return this.read()[this.user] ?? {};
  }

  get(lab: string): LabProgress {
    return { ...emptyProgress(), ...this.all()[lab] };
  }

  update(lab: string, change: (p: LabProgress) => LabProgress): LabProgress {
    const store = this.read();
    const mine = store[this.user] ?? {};
    const next = change({ ...emptyProgress(), ...mine[lab] });
    store[this.user] = { ...mine, [lab]: next };
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(store, null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
    return next;
  }

  clear(lab: string): void {
    this.update(lab, () => emptyProgress());
  }
}
