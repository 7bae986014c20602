// The helper core: opens the ledger, reconciles, and maps every contract method to its implementation.
// Used by `nslab helper` (stdio/socket server) and in-process by the CLI when no helper is running.
import { processKind } from './dockernet/processes.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { HelperContext } from './context.js';
import { ActivityJournal } from './activity/journal.js';
import { activityHandlers } from './activity/handlers.js';
import { EventBus } from './events.js';
import { onActivity } from './exec/run.js';
import { adopt, gc, reconcile } from './ledger/gc.js';
import { Ledger } from './ledger/journal.js';
import type { KindDriver } from './ledger/kinds.js';
import { acquireLock } from './ledger/lock.js';
import { linkKind, netnsKind } from './net/kinds.js';
import { cgroupKind } from './cgroup/kinds.js';
import { cgroupHandlers } from './cgroup/handlers.js';
import { metricsHandlers } from './metrics/handlers.js';
import { createDispatcher, type Dispatch, type Handlers } from './rpc/dispatcher.js';
import { TopologyStore } from './topology/store.js';
import { netHandlers } from './net/handlers.js';
import { dockernetHandlers } from './dockernet/handlers.js';
import { cniHandlers } from './cni/handlers.js';
import { cniKindFor } from './cni/kind.js';
import { topologyHandlers } from './topology/handlers.js';
import { labHandlers } from './labs/handlers.js';
import { nftTableKind, ruleKind } from './firewall/kinds.js';
import { firewallHandlers } from './firewall/handlers.js';
import { traceTableKind } from './firewall/trace/kind.js';
import { traceHandlers } from './firewall/trace/handlers.js';
import { conntrackHandlers } from './firewall/conntrack/handlers.js';
import { ptyHandlers } from './pty/handlers.js';
import { containerHandlers } from './container/handlers.js';
import { containerKindFor } from './container/kinds.js';
import { auditHandlers } from './audit/handlers.js';
import { doctor } from './doctor/doctor.js';
import { VERSION } from './version.js';
import { forgetDeadSandbox, prepareSandbox } from './sandbox.js';
import { whyHandlers } from './why/handlers.js';
import { tracefsInstanceKind } from './why/dropwatch.js';

export function defaultStateDir(): string {
  if (process.env.NSLAB_STATE_DIR) return process.env.NSLAB_STATE_DIR;
  if (process.getuid?.() === 0) return '/var/lib/nslab';
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'nslab');
}

export const lockPathOf = (stateDir: string): string => join(stateDir, 'ledger.lock');

export interface HelperCore {
  ctx: HelperContext;
  dispatch: Dispatch;
  close(): void;
}

export interface CoreOptions {
  stateDir?: string;
  /** Announced in the lock file so CLIs can reach this helper. */
  socket?: string;
  lockWaitMs?: number;
}

export async function openCore(opts: CoreOptions = {}): Promise<HelperCore> {
  const mode = process.env.NSLAB_SANDBOX === '1' ? 'sandbox' : 'host';
  const freshSandbox = mode === 'sandbox' && (await prepareSandbox());
  const stateDir = opts.stateDir ?? defaultStateDir();
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const release = await acquireLock(lockPathOf(stateDir), { pid: process.pid, mode, ...(opts.socket ? { socket: opts.socket } : {}) }, opts.lockWaitMs ?? 10_000);
  // Read only once the lock is ours: a journal read while another process was mid-transaction would show
  // its work as interrupted, and reconciling would delete what it just made.
  let ledger: Ledger;
  try {
    if (freshSandbox) forgetDeadSandbox(stateDir);
    ledger = new Ledger(stateDir);
  } catch (err) {
    release();
    throw err;
  }
  const drivers: KindDriver[] = [cgroupKind, netnsKind, linkKind, ruleKind, nftTableKind, traceTableKind, containerKindFor(stateDir), tracefsInstanceKind, processKind, cniKindFor(stateDir)];
  const bus = new EventBus();
  const journal = new ActivityJournal(stateDir);
  const stopActivity = onActivity((event) => bus.emit('activity', journal.append(event)));
  const ctx: HelperContext = {
    ledger,
    drivers,
    bus,
    stateDir,
    mode,
    topologies: new TopologyStore(stateDir),
  };
  try {
    await reconcile(ledger, drivers);
  } catch (err) {
    stopActivity();
    journal.close();
    release();
    ledger.close();
    throw err;
  }

  const terminals = ptyHandlers(ctx);
  const metrics = metricsHandlers();
  const conntrack = conntrackHandlers(ctx);
  const firewall = firewallHandlers(ctx);
  const handlers: Handlers = {
    // In sandbox mode uid 0 is only the namespace's root: not root on the host.
    'helper.hello': async () => ({ version: VERSION, pid: process.pid, root: ctx.mode === 'host' && process.getuid?.() === 0, mode: ctx.mode, stateDir }),
    'events.subscribe': async ({ events }, call) => {
      call.subscribe(events);
      return { events };
    },
    'events.unsubscribe': async ({ events }, call) => {
      call.unsubscribe(events);
      return { events };
    },
    'ledger.list': async () => ({ objects: ledger.objects() }),
    'ledger.gc': async ({ dryRun, adopt: adoptFirst }) => gc(ledger, drivers, dryRun, adoptFirst),
    'ledger.adopt': async ({ names, dryRun }) => adopt(ledger, drivers, names, dryRun),
    'system.doctor': async () => doctor(ctx),
    ...activityHandlers(journal),
    ...netHandlers(ctx),
    ...dockernetHandlers(ctx),
    ...cniHandlers(ctx),
    ...cgroupHandlers(ctx),
    ...metrics.handlers,
    ...firewall.handlers,
    ...topologyHandlers(ctx),
    ...labHandlers(ctx),
    ...terminals.handlers,
    ...traceHandlers(ctx),
    ...conntrack.handlers,
    ...containerHandlers(ctx),
    ...auditHandlers(ctx),
    ...whyHandlers(ctx),
  };

  return {
    ctx,
    dispatch: createDispatcher(handlers),
    close() {
      terminals.manager.killAll();
      metrics.sampler.close();
      conntrack.watches.close();
      void firewall.watch.close();
      stopActivity();
      journal.close();
      ledger.close();
      release();
    },
  };
}
