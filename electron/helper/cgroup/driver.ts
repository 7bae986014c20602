// The cgroup driver: validates every request against the contract and this machine before the first
// write, records groups in the ledger, and removes a group only once its processes have left.
import { checkAgainstHost, normalizeLimits, type LimitsInput, type Limits } from '../../shared/cgroup/limits.js';
import { cgroupPath } from '../../shared/cgroup/names.js';
import type { CgroupDetail, CgroupInfo, LedgerObject } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import type { Ledger } from '../ledger/journal.js';
import type { CgroupBackend, Write } from './backend.js';
import { writeValue, writeValueLater } from './cgroupfs.js';

type ParsedLimits = Parameters<typeof normalizeLimits>[0];

export const cgroupObject = (name: string, owner = 'manual'): LedgerObject => ({ kind: 'cgroup', netns: null, name: cgroupPath(name), owner });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class CgroupDriver {
  constructor(
    readonly backend: CgroupBackend,
    private readonly ledger: Ledger,
    private readonly readOnly: string | null = null,
  ) {}

  private writable(): void {
    if (this.readOnly) throw new NslabError('permission-denied', this.readOnly);
  }

  private mustExist(name: string): void {
    if (!this.backend.exists(name)) throw new NslabError('not-found', `cgroup ${cgroupPath(name)} does not exist`, { field: 'name' });
  }

  /** Normalises and checks limits against this machine; nothing is written yet. */
  validate(limits: ParsedLimits): Limits {
    const normalized = normalizeLimits(limits);
    checkAgainstHost(normalized, this.backend.hostFacts());
    return normalized;
  }

  info(name: string): CgroupInfo {
    const path = cgroupPath(name);
    const record = this.ledger.objects((o) => o.kind === 'cgroup' && o.name === path)[0];
    return {
      name,
      path,
      version: this.backend.version,
      dirs: this.backend.dirs(name),
      procs: this.backend.procs(name),
      limits: this.backend.readLimits(name),
      recorded: !!record,
      owner: record?.owner ?? null,
    };
  }

  detail(name: string): CgroupDetail {
    this.mustExist(name);
    return { ...this.info(name), stats: this.backend.stats(name) };
  }

  list(): CgroupInfo[] {
    return this.backend.list().map((n) => this.info(n));
  }

  /**
   * `opts.tx`: a transaction of the caller's whose intent already names this group (cgroupObject(name,
   * owner)), which the caller commits — one fsync'd intent and one done for a whole container, not two each.
   */
  async create(name: string, limits: ParsedLimits, owner: string, opts: { tx?: string } = {}): Promise<CgroupInfo & { writes: Write[] }> {
    this.writable();
    const normalized = this.validate(limits);
    if (this.backend.exists(name)) throw new NslabError('exists', `cgroup ${cgroupPath(name)} already exists`, { field: 'name' });
    const object = cgroupObject(name, owner);
    const tx = opts.tx ?? this.ledger.begin([object]);
    let writes: Write[];
    try {
      this.backend.create(name);
      writes = this.backend.apply(name, normalized);
    } catch (err) {
      // Nothing half-made stays behind: the group is empty, so it can go at once.
      try {
        this.backend.remove(name);
        this.backend.removeRootIfEmpty();
        this.ledger.removed([object], opts.tx ? undefined : tx);
      } catch {
        // left for gc: the intent record names it
      }
      throw err;
    }
    if (!opts.tx) this.ledger.commit(tx);
    return { ...this.info(name), writes };
  }

  async set(name: string, limits: ParsedLimits): Promise<CgroupInfo & { writes: Write[] }> {
    this.writable();
    this.mustExist(name);
    const normalized = this.validate(limits);
    if (normalized['memory-swap'] !== undefined && normalized['memory-swap'] !== 'max' && normalized.memory === undefined) {
      throw new NslabError('invalid-params', 'memory-swap is memory plus swap: give memory with it', { field: 'limits.memory-swap' });
    }
    const writes = this.backend.apply(name, normalized);
    return { ...this.info(name), writes };
  }

  attach(name: string, pid: number): void {
    this.writable();
    this.mustExist(name);
    for (const file of this.backend.procsFiles(name)) writeValue(file, String(pid), 'pid');
  }

  /**
   * attach, its first write off the event loop: the first write of a burst waits for an RCU grace period
   * (the kernel's cgroup threadgroup lock, ~8 ms here), time the helper uses meanwhile (a container's
   * network); the others, right after it, take ~0.1 ms each.
   */
  async attachLater(name: string, pid: number): Promise<void> {
    this.writable();
    this.mustExist(name);
    const [first, ...rest] = this.backend.procsFiles(name);
    if (first) await writeValueLater(first, String(pid), 'pid');
    for (const file of rest) writeValue(file, String(pid), 'pid');
  }

  kill(name: string): number {
    this.writable();
    this.mustExist(name);
    return this.backend.kill(name);
  }

  freeze(name: string, frozen: boolean): void {
    this.writable();
    this.mustExist(name);
    this.backend.freeze(name, frozen);
  }

  /** Kills (with force) and waits until the group is empty, then removes it everywhere. */
  async remove(name: string, force: boolean): Promise<void> {
    this.writable();
    this.mustExist(name);
    let procs = this.backend.procs(name);
    if (procs.length && !force) {
      throw new NslabError('busy', `cgroup ${cgroupPath(name)} still has ${procs.length} process(es) (${procs.slice(0, 8).join(' ')}${procs.length > 8 ? ' …' : ''}): stop them first or remove with force`, {
        field: 'name',
        pids: procs,
      });
    }
    for (let attempt = 0; procs.length && attempt < 250; attempt++) {
      this.backend.kill(name);
      await sleep(20);
      procs = this.backend.procs(name);
    }
    if (procs.length) throw new NslabError('busy', `cgroup ${cgroupPath(name)}: processes ${procs.join(' ')} did not exit after SIGKILL`, { field: 'name' });
    // An exiting task can keep the group busy for a moment after it left cgroup.procs: usually a
    // millisecond or two, so the retries start short (1, 2, 4 … 20 ms; about 1 s in all, as before).
    for (let attempt = 0, waited = 0; ; attempt++) {
      try {
        this.backend.remove(name);
        break;
      } catch (err) {
        if (!(err instanceof NslabError && err.code === 'busy') || waited >= 1000) throw err;
        const ms = Math.min(2 ** attempt, 20);
        await sleep(ms);
        waited += ms;
      }
    }
    this.backend.removeRootIfEmpty();
    this.ledger.removed(this.ledger.objects((o) => o.kind === 'cgroup' && o.name === cgroupPath(name)));
  }
}

export type { LimitsInput };
