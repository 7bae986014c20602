// The helper's activity journal: every change it reports, kept per user in the state directory so that a
// reload, a closed tab or a helper restart loses nothing. Bounded: the oldest entries go first.
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ActivityRecord, type ActivityEvent } from '../../shared/contract/index.js';

export const ACTIVITY_FILE = 'activity.jsonl';
/** Entries kept; the file is rewritten down to this many once it holds twice as many. */
export const ACTIVITY_LIMIT = 5000;

export interface ActivityQuery {
  /** ISO time: only entries at or after it. */
  since?: string | undefined;
  /** `lab:<id>`, `topology:<name>`: only that owner's entries. */
  owner?: string | undefined;
  /** Only entries of this helper session. */
  session?: string | undefined;
}

export class ActivityJournal {
  readonly path: string;
  /** This helper run: entries carry it, so "this session" can be exported alone. */
  readonly session: string;
  private entries: ActivityRecord[];
  private lines: number;
  private nextSeq: number;
  /** Kept open for appends: a build reports dozens of changes, each one write instead of open, write, close. */
  private fd: number | null = null;

  constructor(stateDir: string, readonly limit = ACTIVITY_LIMIT) {
    this.path = join(stateDir, ACTIVITY_FILE);
    this.entries = readJournal(this.path);
    this.lines = this.entries.length;
    if (this.entries.length > limit) this.entries = this.entries.slice(-limit);
    this.nextSeq = (this.entries.at(-1)?.seq ?? 0) + 1;
    this.session = `${new Date().toISOString()}#${process.pid}`;
  }

  append(event: ActivityEvent): ActivityRecord {
    const record: ActivityRecord = { ...event, seq: this.nextSeq++, session: this.session };
    this.entries.push(record);
    this.fd ??= openSync(this.path, 'a', 0o600);
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    this.lines++;
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    if (this.lines >= 2 * this.limit) this.compact();
    return record;
  }

  list(query: ActivityQuery = {}): ActivityRecord[] {
    const since = query.since === undefined ? null : Date.parse(query.since);
    return this.entries.filter(
      (e) =>
        (since === null || Date.parse(e.at) >= since) &&
        (query.owner === undefined || e.owner === query.owner) &&
        (query.session === undefined || e.session === query.session),
    );
  }

  /** Rewrites the file with the kept entries only (write + rename: a crash leaves the old or the new one). */
  private compact(): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, this.entries.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
    renameSync(tmp, this.path);
    this.close(); // the next append opens the new file
    this.lines = this.entries.length;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** The journal's valid lines; a torn last line (a crash mid-write) or a foreign line is skipped. */
function readJournal(path: string): ActivityRecord[] {
  if (!existsSync(path)) return [];
  const out: ActivityRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = ActivityRecord.safeParse(JSON.parse(line));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // not JSON: a torn write
    }
  }
  return out;
}
