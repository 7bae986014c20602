// Progress per user and lab, one JSON file in the state directory (written whole, atomically). Progress
// belongs to a lab run: `up` on a lab that is not up begins a run with nothing passed, a check on the live
// kernel marks steps, and a run that passes every step is added to the lab's history (kept with its dates).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabProgress } from '../../shared/contract/index.js';

type Store = Record<string, Record<string, Partial<LabProgress>>>;

/** Whose progress: the person behind sudo/pkexec when the helper runs as root for them. */
export function currentUser(): string {
  return process.env.SUDO_USER || process.env.PKEXEC_UID || process.env.USER || String(process.getuid?.() ?? 'user');
}

export const emptyProgress = (): LabProgress => ({ startedAt: null, passed: [], hints: 0, solved: [], completedAt: null, completions: [] });

/** A stored entry, including one written before runs had a history (its completion becomes the history). */
export function normalizeProgress(stored: Partial<LabProgress> | undefined): LabProgress {
  const p = { ...emptyProgress(), ...stored };
  if (!stored?.completions && p.completedAt) p.completions = [{ at: p.completedAt, startedAt: p.startedAt, hints: p.hints, solved: p.solved.length }];
  return p;
}

/** A new run: nothing passed, hinted or solved yet; the history stays. */
export const beginRun = (p: LabProgress, now: string): LabProgress => ({ ...emptyProgress(), startedAt: now, completions: p.completions });

/** Merges one check's step results into the run; a run that now passes every step joins the history once. */
export function recordCheck(p: LabProgress, stepIds: string[], results: { id: string; ok: boolean }[], now: string): LabProgress {
  const passed = new Set(p.passed);
  for (const r of results) {
    if (r.ok) passed.add(r.id);
    else passed.delete(r.id);
  }
  const done = stepIds.every((s) => passed.has(s));
  const completedAt = done ? (p.completedAt ?? now) : null;
  const completions = done && !p.completedAt ? [...p.completions, { at: now, startedAt: p.startedAt, hints: p.hints, solved: p.solved.length }] : p.completions;
  return { ...p, passed: stepIds.filter((s) => passed.has(s)), completedAt, completions };
}

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
    return Object.fromEntries(Object.entries(this.read()[this.user] ?? {}).map(([lab, p]) => [lab, normalizeProgress(p)]));
  }

  get(lab: string): LabProgress {
    return normalizeProgress(this.read()[this.user]?.[lab]);
  }

  update(lab: string, change: (p: LabProgress) => LabProgress): LabProgress {
    const store = this.read();
    const mine = store[this.user] ?? {};
    const next = change(normalizeProgress(mine[lab]));
    store[this.user] = { ...mine, [lab]: next };
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(store, null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
    return next;
  }
}
