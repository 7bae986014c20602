// Every `--json` output of the CLI says which mode answered: each command that has --json (found by walking
// the real commander program, so a new one cannot be missed) is run in this process against a fake helper
// (the real JSON-RPC dispatcher, every method answering a contract-valid sample, its result checked by the
// contract) and every JSON document it prints must be an object, not an error, with `mode: 'sandbox'`.
// Streaming commands print NDJSON: every line must carry the mode. `run` starts a real program in a real
// cgroup: its report and its refusal are checked on the kernel (tests/integration/cgroup-run.test.ts), and
// the real runs as nobody in tests/integration/sandbox-cli.test.ts (trace NDJSON, activity, container ls).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { methods, type MethodName } from '../../electron/shared/contract/index.js';
import { ConntrackEvent } from '../../electron/shared/contract/conntrack.js';
import { FwCountersEvent } from '../../electron/shared/contract/firewall.js';
import { MetricsSampleEvent } from '../../electron/shared/contract/metrics.js';
import { TraceEvent } from '../../electron/shared/contract/trace.js';
import type { Handlers } from '../../electron/helper/rpc/dispatcher.js';
import { fakeHelper, type FakeHelper } from '../support/fake-helper.js';
import { sampleOf, sampleVariant } from '../support/zod-sample.js';

let helper: FakeHelper;

vi.mock('../../electron/cli/client.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../electron/cli/client.js')>();
  return { ...real, connectHelper: async () => real.clientOn(await helper.connect(), 'sandbox') };
});

const { buildProgram } = await import('../../electron/cli/program.js');
const { jsonDocument } = await import('../../electron/cli/output.js');

const later = (fn: () => void): void => void setTimeout(fn, 20);

/** Every method answers a sample of its result; the streaming ones also send their events, as the helper does. */
function handlers(): Handlers {
  const table: Record<string, (params: unknown, call: Parameters<Handlers['trace.run']>[1]) => Promise<unknown>> = {};
  // A sandbox helper's own reports (doctor, audit, hello) say sandbox too.
  const answer = (m: MethodName): unknown => {
    const r = sampleOf(methods[m].result) as unknown;
    return r && typeof r === 'object' && 'mode' in r ? { ...r, mode: 'sandbox' } : r;
  };
  for (const m of Object.keys(methods) as MethodName[]) table[m] = async () => answer(m);
  table['trace.run'] = async (_p, call) => {
    for (const kind of ['start', 'probe', 'hop', 'fate', 'end']) call.client.notify('trace.event', sampleVariant(TraceEvent, 'kind', kind));
    return sampleOf(methods['trace.run'].result);
  };
  table['ct.watch'] = async (_p, call) => {
    later(() => {
      call.client.notify('ct.event', sampleVariant(ConntrackEvent, 'kind', 'entry'));
      call.client.notify('ct.event', sampleVariant(ConntrackEvent, 'kind', 'end'));
    });
    return sampleOf(methods['ct.watch'].result);
  };
  table['fw.watch'] = async (_p, call) => {
    later(() => call.client.notify('fw.counters', sampleOf(FwCountersEvent)));
    return sampleOf(methods['fw.watch'].result);
  };
  table['metrics.subscribe'] = async (_p, call) => {
    later(() => {
      call.client.notify('metrics.sample', sampleOf(MetricsSampleEvent));
      later(() => process.emit('SIGTERM'));
    });
    return sampleOf(methods['metrics.subscribe'].result);
  };
  return table as unknown as Handlers;
}

const dir = mkdtempSync(join(tmpdir(), 'nslab-unit-json-'));
const CONFLIST = join(dir, 'net.conflist');
const TOPO = 'resources/topologies/red-blue.yaml';
const CLAB = 'tests/fixtures/containerlab/mixed.clab.yml';

/** The arguments each --json command is run with (valid ones: the test is about the answer, not the refusal). */
const CASES: Record<string, string[]> = {
  'topo apply': [TOPO],
  'topo check': [TOPO],
  'topo destroy': ['red-blue'],
  'topo show': [],
  'topo list': [],
  'net netns ls': [],
  'net netns add': ['red'],
  'net netns del': ['red'],
  'net link add': ['veth-red', '--kind', 'veth', '--node', 'red', '--peer', 'veth-blue', '--peer-node', 'blue'],
  'net link del': ['veth-red', '--node', 'red'],
  'net link set': ['veth-red', '--node', 'red', '--up'],
  'net addr add': ['10.0.0.1/24', '--dev', 'veth-red', '--node', 'red'],
  'net addr del': ['10.0.0.1/24', '--dev', 'veth-red', '--node', 'red'],
  'net route add': ['10.1.0.0/16', '--via', '10.0.0.2', '--node', 'red'],
  'net route del': ['10.1.0.0/16', '--node', 'red'],
  'net sysctl set': ['ip_forward', '1', '--node', 'red'],
  'net node route-add': ['red', 'default', '--via', '10.0.0.2'],
  'net node route-del': ['red', 'default'],
  'net node sysctl': ['red', 'net.ipv4.ip_forward', '1'],
  'net show': [],
  'lab list': [],
  'lab show': ['netns-veth'],
  'lab up': ['netns-veth'],
  'lab check': ['netns-veth'],
  'lab hint': ['netns-veth'],
  'lab solve': ['netns-veth'],
  'lab reset': ['netns-veth'],
  'lab down': ['netns-veth'],
  'lab export': ['netns-veth'],
  'lab progress': [],
  'cgroup create': ['web', '--memory', '64m'],
  'cgroup set': ['web', '--pids-limit', '64'],
  'cgroup show': ['web'],
  'cgroup ls': [],
  'cgroup rm': ['web'],
  'cgroup exec': ['web', '--', 'sleep', '1'],
  'cgroup kill': ['web'],
  'cgroup freeze': ['web'],
  'cgroup thaw': ['web'],
  'cgroup vocab': [],
  'fw show': ['red'],
  'fw add': ['red', '--', '-A', 'INPUT', '-j', 'ACCEPT'],
  'fw delete': ['red', '--owner', 'manual'],
  'fw policy': ['red', 'INPUT', 'DROP'],
  'fw watch': ['red', '--count', '1'],
  'container run': ['--name', 'c1', '--', 'true'],
  'container ls': [],
  'container exec': ['c1', '--', 'true'],
  'container stop': ['c1'],
  'container rm': ['c1'],
  'container inspect': ['c1'],
  inspect: ['1'],
  audit: [],
  top: [],
  trace: ['--from', 'red', '--to', '10.0.0.2'],
  'ct list': ['red'],
  'ct watch': ['red', '--duration', '5'],
  'ct flush': ['red', '--all'],
  why: ['--from', 'red', '--to', '10.0.0.2'],
  'dockernet up': ['--name', 'dk', '--containers', 'c1,c2', '--publish', '8080:c1:80'],
  'dockernet show': [],
  'dockernet down': [],
  'cni add': ['c1', '--host', 'h1', '--config', CONFLIST],
  'cni check': ['c1'],
  'cni del': ['c1'],
  'cni ls': [],
  'cni plugins': [],
  'cni diff': ['c1', '--container', 'c1'],
  gc: ['--dry-run'],
  adopt: ['--dry-run'],
  doctor: [],
  activity: [],
  'helper stop': [],
  'helper status': [],
  'export containerlab': ['red-blue', '-o', join(dir, 'red-blue.clab.yml')],
  'export kind': ['netns-bridge', '-o', join(dir, 'kind')],
  'import containerlab': [CLAB],
};

/** Also JSON, always: `rpc` prints the helper's answer. */
const ALWAYS_JSON: Record<string, string[]> = { rpc: ['ledger.list'] };

/** --json commands this test does not run in-process, and why. */
const ON_THE_KERNEL: Record<string, string> = { run: 'starts the program in a real nslab/ cgroup from the CLI process' };

const jsonCommands = (c: Command, path: string[] = []): string[] =>
  c.commands.flatMap((sub) => {
    const here = [...path, sub.name()];
    return [...(sub.options.some((o) => o.long === '--json') ? [here.join(' ')] : []), ...jsonCommands(sub, here)];
  });

/** Runs `nslab ARGS` in this process; returns what it printed on stdout and its exit code. */
async function run(args: string[]): Promise<{ stdout: string; code: number }> {
  let stdout = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await buildProgram().parseAsync(['node', 'nslab', ...args]);
  } finally {
    write.mockRestore();
    err.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { stdout, code };
}

/** One pretty-printed document, or NDJSON lines. */
function documents(stdout: string): unknown[] {
  try {
    return [JSON.parse(stdout)];
  } catch {
    return stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);
  }
}

const saved = { mode: process.env.NSLAB_MODE, state: process.env.NSLAB_STATE_DIR };
beforeAll(() => {
  process.env.NSLAB_MODE = 'sandbox';
  process.env.NSLAB_STATE_DIR = join(dir, 'state');
  writeFileSync(CONFLIST, JSON.stringify({ cniVersion: '1.0.0', name: 'n1', plugins: [{ type: 'bridge', bridge: 'cni0', ipam: { type: 'host-local', subnet: '10.22.0.0/16' } }] }));
});
afterEach(() => vi.restoreAllMocks());
afterAll(() => {
  for (const [k, v] of [['NSLAB_MODE', saved.mode], ['NSLAB_STATE_DIR', saved.state]] as const) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  rmSync(dir, { recursive: true, force: true });
});

describe('every --json output says which mode answered', () => {
  it('covers every command that has --json', () => {
    const found = jsonCommands(buildProgram()).sort();
    expect(found).toEqual([...Object.keys(CASES), ...Object.keys(ON_THE_KERNEL)].sort());
  });

  it.each(Object.entries({ ...CASES, ...ALWAYS_JSON }))('nslab %s', async (command, args) => {
    helper = fakeHelper(handlers());
    // --json right after the command words: after a positional of a pass-through command (exec NAME -- …) it would be the program's.
    const { stdout } = await run([...command.split(' '), ...(command in ALWAYS_JSON ? [] : ['--json']), ...args]);
    const docs = documents(stdout);
    expect(docs.length, stdout).toBeGreaterThan(0);
    for (const doc of docs) {
      expect(typeof doc === 'object' && doc !== null && !Array.isArray(doc), `${command}: ${stdout}`).toBe(true);
      expect(doc, `${command}: an error, not an answer`).not.toHaveProperty('error');
      expect((doc as { mode?: unknown }).mode, `${command}: ${stdout}`).toBe('sandbox');
    }
  });

  it('streams NDJSON with the mode on every line', async () => {
    helper = fakeHelper(handlers());
    const { stdout } = await run(['trace', '--from', 'red', '--to', '10.0.0.2', '--json']);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; mode: string });
    expect(lines.map((l) => l.kind)).toEqual(['start', 'probe', 'hop', 'fate', 'end']);
    expect(new Set(lines.map((l) => l.mode))).toEqual(new Set(['sandbox']));
  });

  it('never prints a bare list', () => {
    expect(() => jsonDocument([1, 2])).toThrow(/must be an object/);
    expect(jsonDocument({ entries: [] })).toEqual({ entries: [], mode: 'sandbox' });
    expect(jsonDocument({ mode: 'host', checks: [] })).toEqual({ mode: 'host', checks: [] }); // a document that says its mode keeps it
  });

  it('errors say the mode too; null where none could be settled (host mode asked without root)', async () => {
    helper = fakeHelper({ ...handlers(), 'topology.destroy': async () => Promise.reject(new Error('boom')) });
    const failed = await run(['topo', 'destroy', 'red-blue', '--json']);
    expect(JSON.parse(failed.stdout)).toMatchObject({ error: { code: 'internal' }, mode: 'sandbox' });
    expect(failed.code).toBe(1);
    const bad = await run(['trace', '--from', 'red', '--to', 'nowhere', '--json']);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'invalid-params', field: 'to' }, mode: 'sandbox' });
    // As a user without root, host mode asked for is refused — by a command that needs no helper too.
    vi.spyOn(process, 'getuid').mockReturnValue(65534);
    process.env.NSLAB_MODE = 'host';
    try {
      // (Through the real connectHelper the same refusal is checked as nobody in tests/integration/sandbox-cli.test.ts.)
      const refused = await run(['cgroup', 'vocab', '--json']);
      expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: 'permission-denied', field: 'host' }, mode: null });
      expect(refused.code).toBe(1);
    } finally {
      process.env.NSLAB_MODE = 'sandbox';
    }
  });
});
