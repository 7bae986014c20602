// The sampler on the real kernel: an nslab/ group and a veth pair in an nslab namespace are sampled from
// cgroupfs and /proc/<pid>/net/dev, subscribers get only their series, history is kept.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { machineBackend } from '../../electron/helper/cgroup/detect.js';
import { CgroupDriver } from '../../electron/helper/cgroup/driver.js';
import { Ledger } from '../../electron/helper/ledger/journal.js';
import { Sampler } from '../../electron/helper/metrics/sampler.js';
import { CGROUP_RATES, type SeriesSample } from '../../electron/shared/contract/metrics.js';
import { markedCgroups } from '../support/cgroup.js';
import { markedNetns } from '../support/cli.js';

const NS = 'nslab-itest-metrics';
const ip = (...a: string[]): void => void spawnSync('ip', a, { stdio: 'ignore' });
let dir: string;
let ledger: Ledger;
let driver: CgroupDriver;
let before: { cg: string[]; ns: string[] };

beforeAll(async () => {
  before = { cg: markedCgroups(), ns: markedNetns() };
  dir = mkdtempSync(join(tmpdir(), 'nslab-metrics-'));
  ledger = new Ledger(dir);
  driver = new CgroupDriver(machineBackend().backend!, ledger);
  await driver.create('itest-metrics', { 'cpu-quota': 20_000, 'cpu-period': 100_000, memory: 64 * 1024 * 1024 }, 'test');
  ip('netns', 'add', NS);
  ip('-n', NS, 'link', 'add', 'm0', 'type', 'veth', 'peer', 'name', 'm1');
  ip('-n', NS, 'addr', 'add', '10.77.0.1/24', 'dev', 'm0');
  ip('-n', NS, 'link', 'set', 'm0', 'up');
  ip('-n', NS, 'link', 'set', 'm1', 'up');
});
afterAll(async () => {
  await driver.remove('itest-metrics', true);
  ip('netns', 'del', NS);
  ledger.close();
  rmSync(dir, { recursive: true, force: true });
  expect(markedCgroups()).toEqual(before.cg);
  // other work may make namespaces meanwhile: only ours must be gone
  expect(markedNetns()).not.toContain(NS);
  expect(markedNetns().filter((n) => !before.ns.includes(n) && n.includes('itest'))).toEqual([]);
});

it('samples groups and namespace interfaces, delivers subscribed series only, keeps history', async () => {
  const sampler = new Sampler(machineBackend().backend);
  sampler.setInterval(200);
  const got: { samples: { series: string }[] }[] = [];
  const other: unknown[] = [];
  try {
    sampler.subscribe({ id: 'a', notify: (_e, p) => got.push(p as never) }, ['cgroup:nslab/itest-metrics', `net:${NS}:m0`]);
    sampler.subscribe({ id: 'b', notify: (_e, p) => other.push(p) }, ['net:nobody:x0']);
    const hog = spawn('perl', ['-e', '1 while 1'], { stdio: 'ignore' }); // one busy process, no forks
    driver.attach('itest-metrics', hog.pid!);
    // traffic out of m0 (to an address that does not answer: ARP requests count as tx)
    const ping = spawn('ip', ['netns', 'exec', NS, 'ping', '-c', '8', '-i', '0.1', '10.77.0.2'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1500));
    hog.kill('SIGKILL');
    ping.kill('SIGKILL');
    const cg = sampler.history('cgroup:nslab/itest-metrics');
    expect(cg.t.length).toBeGreaterThanOrEqual(5);
    expect(cg.values.memoryLimit!.at(-1)).toBe(64 * 1024 * 1024);
    const snap = await sampler.snapshot();
    const g = snap.samples.find((s) => s.series === 'cgroup:nslab/itest-metrics')!;
    expect(g.values.cpuNs).toBeGreaterThan(0);
    const cpuSeries = cg.values.cpuNs!.filter((v): v is number => v !== null);
    const used = (cpuSeries.at(-1)! - cpuSeries[0]!) / 1e6 / (cg.t.at(-1)! - cg.t[0]!);
    expect(used).toBeLessThan(0.3); // the 0.2 CPU quota, as seen by the sampler
    expect(cg.values.nrThrottled!.at(-1)).toBeGreaterThan(0);
    const net = sampler.history(`net:${NS}:m0`);
    expect(net.values.txPackets!.at(-1)).toBeGreaterThan(0);
    expect(sampler.list().map((s) => s.id)).toContain(`net:${NS}:m1`);
    // subscriber a got its two series and nothing else; b got nothing
    const seen = new Set(got.flatMap((p) => p.samples.map((s) => s.series)));
    expect([...seen].sort()).toEqual(['cgroup:nslab/itest-metrics', `net:${NS}:m0`]);
    expect(other).toEqual([]);
    // History and live samples carry the same fields: the live sample's rates are the history's last ones.
    const live = (got.flatMap((p) => p.samples) as unknown as SeriesSample[]).filter((smp) => smp.series === 'cgroup:nslab/itest-metrics').at(-1)!;
    const kept = sampler.history('cgroup:nslab/itest-metrics');
    const at = kept.t.indexOf(live.t);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(Object.keys(kept.rates).sort()).toEqual([...CGROUP_RATES].sort());
    for (const rate of CGROUP_RATES) expect(kept.rates[rate]![at]).toBe(live.rates[rate]);
    expect(live.rates.cpuPercent).not.toBeNull();
    expect(sampler.config()).toMatchObject({ interval: 200, capacity: 15 * 60 * 5 + 1 });
  } finally {
    sampler.close();
  }
});
