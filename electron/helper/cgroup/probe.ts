// The sampler's view of one group: files kept open and re-read at offset 0 each sweep (no spawning, no
// open/close per value), parsed into the few numbers the live graphs need. Which files hold them is each
// backend's own knowledge (`sampleReader` in v1.ts and v2.ts); this file holds what both share.
import type { CgroupField } from '../../shared/contract/metrics.js';
import { FileReader } from '../procfs.js';
import type { CgroupBackend } from './backend.js';

export type CgroupSample = Record<CgroupField, number | null>;

/** What a backend gives the sampler for one group: a read of its counters, and the files to let go of. */
export interface CgroupSampleReader {
  read(): CgroupSample;
  close(): void;
}

/** Files opened once for a reader; a missing directory or file reads as null every time. */
export class KeptFiles {
  private readonly readers: FileReader[] = [];

  open(dir: string | null | undefined, file: string): FileReader {
    const r = new FileReader(dir ? `${dir}/${file}` : '/nonexistent');
    this.readers.push(r);
    return r;
  }

  close(): void {
    for (const r of this.readers) r.close();
  }
}

export const int = (text: string | null): number | null => {
  if (text === null) return null;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : null;
};
/** `key value` lookup without building a map (the hot path). */
export const keyed = (text: string | null, key: string): number | null => {
  if (text === null) return null;
  const at = text.indexOf(`${key} `);
  if (at < 0 || (at > 0 && text[at - 1] !== '\n')) return null;
  return Number(text.slice(at + key.length + 1, text.indexOf('\n', at) >>> 0));
};
/** A limit file: null for no limit (`max`, or v1's huge "unlimited" values). */
export const limit = (text: string | null): number | null => {
  if (text === null || text.startsWith('max')) return null;
  const n = Number(text.trim());
  return n >= 2 ** 62 || n < 0 ? null : n;
};

export class CgroupProbe {
  private readonly reader: CgroupSampleReader;

  constructor(backend: CgroupBackend, name: string) {
    this.reader = backend.sampleReader(name);
  }

  /** null when the group is gone. */
  sample(): CgroupSample | null {
    const s = this.reader.read();
    return s.cpuNs === null && s.memory === null && s.pids === null ? null : s;
  }

  close(): void {
    this.reader.close();
  }
}
