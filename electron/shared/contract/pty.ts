// Live terminals: a shell in the host, in a node's network namespace, or in all namespaces of a process.
import { z } from 'zod';
import { CgroupName } from '../cgroup/names.js';
import { NodeName } from '../names.js';
import { ContainerName } from './container.js';
import { defineMethods } from './define.js';

/** xterm sizes nslab accepts; anything beyond is clamped, not refused (a window can be huge). */
export const PTY_LIMITS = { minCols: 2, maxCols: 1000, minRows: 1, maxRows: 500 } as const;
/**
 * Flow control: the helper pauses a terminal above HIGH unacknowledged characters, resumes below LOW.
 * VS Code's 100 000 / 5 000 suit its local IPC; through the browser relay an acknowledgement takes a few
 * milliseconds to come back, so the window must cover several 128 KB batches (bandwidth × round trip) and
 * resume before it runs dry: 100 000 / 5 000 measured 0.39 of raw node-pty, 1 000 000 / 500 000 0.6
 * (tests/bench/terminals-browser.bench.mjs). A client that stops reading still costs at most this much.
 */
export const PTY_WATERMARKS = { high: 1_000_000, low: 500_000 } as const;
/**
 * How long a terminal keeps running after its last client went away (a closed tab, a lost connection), so
 * any tab can re-attach it: 10 minutes unless `pty.config` (the Terminals panel, `nslab serve
 * --terminal-grace`) says otherwise; at most a week.
 */
export const PTY_GRACE = { defaultMs: 10 * 60_000, maxMs: 7 * 24 * 3_600_000 } as const;

const Dimension = z
  .number({ error: 'expected a whole number' })
  .int({ error: 'expected a whole number' })
  .min(0, { error: 'must not be negative' })
  .max(100_000, { error: 'is not a terminal size' });
export const PtyId = z.string().regex(/^t[0-9]+$/, { error: 'expected a terminal id such as t1' });

export const PtyTarget = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('host') }),
    z.strictObject({ kind: z.literal('node'), node: NodeName }),
    z.strictObject({ kind: z.literal('pid'), pid: z.number().int().min(1).max(4_194_304) }),
    // A shell in a running nslab container: its namespaces, cgroup and capabilities (like container.exec).
    // `argv` runs instead of /bin/sh (resolved in the container's rootfs), as `nslab container exec -it` asks.
    z.strictObject({ kind: z.literal('container'), name: ContainerName, argv: z.array(z.string().max(4096)).min(1).max(128).optional() }),
  ],
  { error: "target is { kind: 'host' } | { kind: 'node', node } | { kind: 'pid', pid } | { kind: 'container', name }" },
);
export type PtyTarget = z.infer<typeof PtyTarget>;

export const PtyExit = z.object({ code: z.number().nullable(), signal: z.string().nullable() });

export const PtyInfo = z.object({
  id: z.string(),
  pid: z.number(),
  target: PtyTarget,
  title: z.string(),
  cols: z.number(),
  rows: z.number(),
  detached: z.boolean(),
  exited: PtyExit.nullable(),
  /** The program line the pty runs (argv joined with spaces), e.g. `ip netns exec nslab-red /bin/bash`. */
  command: z.string(),
  /** When it was opened (ISO 8601). */
  startedAt: z.string(),
  /** Clients attached now (the owner: 0 or 1). */
  clients: z.number(),
  /** With no client attached: when the grace runs out and it is hung up (ISO 8601); null while attached, detached or exited. */
  endsAt: z.string().nullable(),
});
export type PtyInfo = z.infer<typeof PtyInfo>;

const Ok = z.object({});
/** What a notification "returns": nothing travels back. */
const NoReply = z.undefined();

export const pty = defineMethods({
  'pty.open': {
    summary: 'Open a shell in the host, a node, all namespaces of a process, or a running container; with `cgroup`, the shell starts inside nslab/<cgroup>.',
    renderer: true,
    params: z.strictObject({ target: PtyTarget, cols: Dimension.default(80), rows: Dimension.default(24), cgroup: CgroupName.optional() }),
    result: PtyInfo,
  },
  'pty.write': {
    summary: 'Type into a terminal.',
    renderer: true,
    notification: true,
    params: z.strictObject({ id: PtyId, data: z.string().max(65_536) }),
    result: NoReply,
  },
  'pty.resize': {
    summary: 'Resize a terminal (clamped; harmless after exit; `pty.list` shows the size it took).',
    renderer: true,
    notification: true,
    params: z.strictObject({ id: PtyId, cols: Dimension, rows: Dimension }),
    result: NoReply,
  },
  'pty.ack': {
    summary: 'Acknowledge characters the client has rendered (flow control).',
    renderer: true,
    notification: true,
    params: z.strictObject({ id: PtyId, chars: z.number().int().min(0).max(100_000_000) }),
    result: NoReply,
  },
  'pty.kill': {
    summary: "Kill a terminal's whole session (every process in it).",
    renderer: true,
    params: z.strictObject({ id: PtyId, signal: z.enum(['SIGHUP', 'SIGTERM', 'SIGKILL', 'SIGINT']).default('SIGHUP') }),
    result: Ok,
  },
  'pty.attach': {
    summary:
      'Take over a live (or finished) terminal: its scrollback (the last 256 KiB) follows as pty.data, under flow control like live output, then its output.',
    renderer: true,
    params: z.strictObject({ id: PtyId }),
    result: PtyInfo.extend({ replayChars: z.number() }),
  },
  'pty.detach': {
    summary: 'Keep a terminal running after this client goes away.',
    renderer: false, // no panel calls it (a closed tab's session stays re-attachable by pty.attach); `nslab rpc` only
    params: z.strictObject({ id: PtyId }),
    result: Ok,
  },
  'pty.config': {
    summary: 'How long terminals outlive their last client (`graceMs`); given, it is changed for every terminal and remembered by the helper.',
    renderer: true,
    params: z.strictObject({
      graceMs: z
        .number({ error: 'graceMs: expected milliseconds, a whole number' })
        .int({ error: 'graceMs: expected milliseconds, a whole number' })
        .min(0, { error: 'graceMs: must not be negative (0 hangs up as soon as the last client leaves)' })
        .max(PTY_GRACE.maxMs, { error: 'graceMs: at most a week (604800000 ms)' })
        .optional(),
    }),
    result: z.object({ graceMs: z.number(), scrollbackChars: z.number() }),
  },
  'pty.list': {
    summary: 'Terminals this helper runs.',
    renderer: true,
    params: z.strictObject({}),
    result: z.object({ sessions: z.array(PtyInfo) }),
  },
});

export const ptyEvents = {
  'pty.data': z.object({ id: z.string(), data: z.string() }),
  'pty.exit': z.object({ id: z.string() }).extend(PtyExit.shape),
} as const;
