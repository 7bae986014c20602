// Drop reasons from the `skb:kfree_skb` tracepoint, without touching the host's tracing: tracefs is
// mounted in a private mount namespace (held by a `sleep` that dies with the helper), the event is enabled
// only in nslab's own tracefs instance `nslab-why-<id>` (its own buffer), read once, and the instance is
// removed. The instance is global kernel state: it is in the ledger (kind tracefs-instance) so gc removes
// it after a kill -9. Reason names come from the event's `format` file (the numbers change between kernels).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmdirSync, writeFileSync } from 'node:fs';
import type { LedgerObject } from '../../shared/contract/index.js';
import type { HelperContext } from '../context.js';
import { spawnTracked, type TrackedProcess } from '../exec/attached.js';
import { reportActivity, run } from '../exec/run.js';
import type { KindDriver } from '../ledger/kinds.js';

const TRACEFS = '/sys/kernel/tracing';
const EVENT = 'events/skb/kfree_skb';
export const INSTANCE_PREFIX = 'nslab-why-';
/** The holder ends itself after this long even if nobody kills it. */
const HOLD_SECONDS = 20;

export interface KernelDrop {
  comm: string;
  pid: number;
  at: number;
  protocol: number;
  location: string;
  reason: string;
}

/** `__print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, …)` of the format file → number → name. */
export function parseReasons(format: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const m of format.matchAll(/\{\s*(\d+),\s*"([A-Z0-9_]+)"\s*\}/g)) out.set(Number(m[1]), m[2]!);
  return out;
}

/** One line of the instance's `trace` file. */
export function parseDropLine(line: string, reasons: Map<number, string>): KernelDrop | null {
  const m = /^\s*(.+?)-(\d+)\s+\[\d+\]\s+\S+\s+([\d.]+):\s+kfree_skb:.*?protocol=(\d+)\s+location=(\S+)\s+reason:\s*(\S+)/.exec(line);
  if (!m) return null;
  const r = m[6]!;
  return { comm: m[1]!.trim(), pid: Number(m[2]), at: Number(m[3]), protocol: Number(m[4]), location: m[5]!, reason: /^\d+$/.test(r) ? (reasons.get(Number(r)) ?? r) : r };
}

/** A private mount namespace with tracefs mounted: its path from here, and the process holding it. */
async function privateTracefs(): Promise<{ base: string; holder: TrackedProcess }> {
  const holder = spawnTracked(['setpriv', '--pdeathsig', 'KILL', '--', 'unshare', '--mount', '--propagation', 'private', '--', 'sleep', String(HOLD_SECONDS)]);
  const self = readlinkSync('/proc/self/ns/mnt');
  const deadline = Date.now() + 2000;
  for (;;) {
    let ns: string | null;
    try {
      ns = readlinkSync(`/proc/${holder.pid}/ns/mnt`);
    } catch {
      ns = null;
    }
    if (ns && ns !== self && readFileSync(`/proc/${holder.pid}/comm`, 'utf8').trim() === 'sleep') break;
    if (Date.now() > deadline) {
      holder.kill();
      throw new Error('the private mount namespace for tracefs did not start');
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  try {
    await run(['nsenter', '-t', String(holder.pid), '-m', '--', 'mount', '-t', 'tracefs', 'nodev', TRACEFS]);
  } catch (err) {
    holder.kill();
    throw err;
  }
  return { base: `/proc/${holder.pid}/root${TRACEFS}`, holder };
}

const instanceObject = (name: string): LedgerObject => ({ kind: 'tracefs-instance', netns: null, name, owner: `why:${name.slice(INSTANCE_PREFIX.length)}` });

const write = (path: string, value: string, shown: string): void => {
  writeFileSync(path, value);
  reportActivity({ at: new Date().toISOString(), argv: ['sh', '-c', shown], shell: [shown], ok: true, ms: 0 });
};

export interface DropWatch {
  /** The drops recorded so far. */
  read(): KernelDrop[];
  stop(): Promise<void>;
}

export async function startDropWatch(ctx: HelperContext): Promise<DropWatch> {
  const { base, holder } = await privateTracefs();
  const name = `${INSTANCE_PREFIX}${randomBytes(3).toString('hex')}`;
  const dir = `${base}/instances/${name}`;
  const object = instanceObject(name);
  let reasons: Map<number, string>;
  try {
    reasons = parseReasons(readFileSync(`${base}/${EVENT}/format`, 'utf8'));
    const tx = ctx.ledger.begin([object]);
    try {
      mkdirSync(dir);
    } finally {
      ctx.ledger.commit(tx);
    }
    reportActivity({ at: new Date().toISOString(), argv: ['mkdir', `${TRACEFS}/instances/${name}`], shell: [`mkdir ${TRACEFS}/instances/${name}   # in a private mount namespace`], ok: true, ms: 0 });
    // IPv4 only (ETH_P_IP): the probe's packets
    write(`${dir}/${EVENT}/filter`, 'protocol == 2048\n', `echo 'protocol == 2048' > ${TRACEFS}/instances/${name}/${EVENT}/filter`);
    write(`${dir}/${EVENT}/enable`, '1\n', `echo 1 > ${TRACEFS}/instances/${name}/${EVENT}/enable`);
  } catch (err) {
    if (existsSync(dir)) removeInstance(dir);
    ctx.ledger.removed([object]);
    holder.kill();
    throw err;
  }
  let stopped = false;
  return {
    read: () => {
      try {
        return readFileSync(`${dir}/trace`, 'utf8').split('\n').map((l) => parseDropLine(l, reasons)).filter((x): x is KernelDrop => x !== null);
      } catch {
        return [];
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        removeInstance(dir);
        reportActivity({ at: new Date().toISOString(), argv: ['rmdir', `${TRACEFS}/instances/${name}`], shell: [`rmdir ${TRACEFS}/instances/${name}`], ok: true, ms: 0 });
        ctx.ledger.removed([object]);
      } catch {
        // left in the ledger: gc removes it
      }
      holder.kill();
      await holder.exited;
    },
  };
}

function removeInstance(dir: string): void {
  try {
    writeFileSync(`${dir}/${EVENT}/enable`, '0\n');
  } catch {
    // already gone, or the event is not there: rmdir decides
  }
  rmdirSync(dir);
}

/** Ledger driver: a drop-watch instance left by a helper killed mid-probe. */
export const tracefsInstanceKind: KindDriver = {
  kind: 'tracefs-instance',
  order: 3,
  async present(objects) {
    if (!objects.length) return [];
    const { base, holder } = await privateTracefs();
    try {
      return objects.filter((o) => o.name.startsWith(INSTANCE_PREFIX) && existsSync(`${base}/instances/${o.name}`));
    } finally {
      holder.kill();
    }
  },
  async remove(objects) {
    const failed: { object: LedgerObject; message: string }[] = [];
    if (!objects.length) return failed;
    const { base, holder } = await privateTracefs();
    try {
      for (const o of objects) {
        try {
          if (!o.name.startsWith(INSTANCE_PREFIX)) throw new Error(`${o.name} is not an nslab instance`);
          removeInstance(`${base}/instances/${o.name}`);
          reportActivity({ at: new Date().toISOString(), argv: ['rmdir', `${TRACEFS}/instances/${o.name}`], shell: [`rmdir ${TRACEFS}/instances/${o.name}`], ok: true, ms: 0 });
        } catch (err) {
          failed.push({ object: o, message: (err as Error).message });
        }
      }
    } finally {
      holder.kill();
    }
    return failed;
  },
  // Instances are only made by a drop watch, which the ledger always records first.
  scanMarked: async () => [],
};
