// `nslab dockernet` on the real kernel: published ports reachable from the outside node (DNAT), from the host
// (OUTPUT), from 127.0.0.1 and from another container (docker-proxy); the host namespace's iptables-save
// matching the goldens line for line; isolation between two Docker bridges; macvlan; two hosts over VXLAN
// and direct routing with the MTU pitfall; bad input refused with nothing half-built; kill -9 mid-up + gc.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeSave } from '../../electron/helper/dockernet/save-format.js';
import { kernelState, markedNetns, nslab, nslabJson, tempStateDir } from '../support/cli.js';
import { startHelper } from '../support/helper.js';

const state = tempStateDir();
let before = '';

const inNs = (ns: string, ...argv: string[]) => spawnSync('ip', ['netns', 'exec', `nslab-${ns}`, ...argv], { encoding: 'utf8', timeout: 10_000 });
const curl = (ns: string, url: string): string => inNs(ns, 'curl', '-s', '-m', '3', url).stdout;
const pings = (ns: string, to: string, ...extra: string[]): boolean => inNs(ns, 'ping', '-n', '-c', '1', '-W', '1', ...extra, to).status === 0;
const golden = (name: string): string => normalizeSave(readFileSync(new URL(`../fixtures/dockernet/${name}.txt`, import.meta.url), 'utf8'));
const hostSave = (ns: string): string => normalizeSave(inNs(ns, 'iptables-save').stdout);
const processes = (word: string): string[] => spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(word));
const up = (args: string[]) => nslab(state.dir, ['dockernet', 'up', ...args, '--json']);
const down = (name: string) => nslabJson(state.dir, ['dockernet', 'down', '--name', name, '--json']);
const errorOf = (r: { stdout: string }): { code: string; field?: string; message: string } => (JSON.parse(r.stdout) as { error: { code: string; field?: string; message: string } }).error;

beforeAll(() => {
  before = kernelState();
});

afterAll(async () => {
  await nslab(state.dir, ['gc']);
  state.cleanup();
  expect(kernelState()).toBe(before);
  expect(processes('nslab-dq')).toEqual([]);
});

describe('bridge mode with -p 8080:80 (dockerd 20.10)', () => {
  beforeAll(async () => {
    const r = await up(['--name', 'dq', '--containers', 'c1,c2', '--publish', '8080:c1:80', '--httpd', 'c1']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 60_000);

  it('the host namespace holds exactly the rules of a real dockerd 20.10 for the same scenario', () => {
    expect(hostSave('dq-host')).toBe(golden('docker-20.10-s1-bridge-2c-publish'));
  });

  it('the published port answers from outside (DNAT), from the host (OUTPUT), from 127.0.0.1 and from another container (docker-proxy)', () => {
    expect(curl('dq-out', 'http://198.51.100.1:8080/')).toBe('hello from c1\n');
    expect(curl('dq-host', 'http://198.51.100.1:8080/')).toBe('hello from c1\n');
    expect(curl('dq-host', 'http://127.0.0.1:8080/')).toBe('hello from c1\n');
    expect(curl('dq-c2', 'http://198.51.100.1:8080/')).toBe('hello from c1\n');
    const ct = inNs('dq-host', 'conntrack', '-L', '-p', 'tcp', '--orig-dst', '198.51.100.1', '--dport', '8080').stdout;
    expect(ct).toContain('src=172.17.0.2'); // the reply tuple comes from the container: DNAT happened
  });

  it('containers reach each other and the outside through MASQUERADE', () => {
    expect(pings('dq-c1', '172.17.0.3')).toBe(true);
    expect(pings('dq-c1', '198.51.100.2')).toBe(true);
    const ct = inNs('dq-host', 'conntrack', '-L', '-p', 'icmp', '--orig-src', '172.17.0.2', '--orig-dst', '198.51.100.2').stdout;
    expect(ct).toContain('dst=198.51.100.1'); // the reply goes to the host's address: SNAT
  });

  it('docker-proxy is one process per published port, explained in show', async () => {
    expect(processes('nslab-dq-proxy-8080')).toHaveLength(1);
    const show = await nslabJson<{ objects: { kind: string; text: string; why: string; key?: string }[] }>(state.dir, ['dockernet', 'show', '--name', 'dq', '--json']);
    for (const o of show.objects) expect(o.why.length, o.text).toBeGreaterThan(20);
    expect(show.objects.find((o) => o.kind === 'process' && o.text.startsWith('docker-proxy'))?.text).toContain('-host-port 8080 -container-ip 172.17.0.2 -container-port 80');
  });

  it('a second up with the same settings changes nothing; other settings are `exists`', async () => {
    expect((await up(['--name', 'dq', '--containers', 'c1,c2', '--publish', '8080:c1:80', '--httpd', 'c1'])).code).toBe(0);
    expect(processes('nslab-dq-proxy-8080')).toHaveLength(1);
    expect(hostSave('dq-host')).toBe(golden('docker-20.10-s1-bridge-2c-publish'));
    const r = await up(['--name', 'dq', '--containers', 'c1']);
    expect(errorOf(r).code).toBe('exists');
  });

  it('down removes the processes, rules and namespaces', async () => {
    await down('dq');
    expect(processes('nslab-dq-')).toEqual([]);
    expect(markedNetns().filter((n) => n.startsWith('nslab-dq-'))).toEqual([]);
  });
});

describe('two Docker bridges', () => {
  it('rules match the 20.10 capture and DOCKER-ISOLATION keeps the networks apart', async () => {
    const r = await up(['--name', 'dr', '--containers', 'c1,c2', '--user-network', 'c3', '--publish', '8080:c1:80', '--publish', '9090:c3:90']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    try {
      expect(hostSave('dr-host')).toBe(golden('docker-20.10-s2-two-bridges'));
      expect(pings('dr-c1', '172.17.0.3')).toBe(true);
      expect(pings('dr-c3', '198.51.100.2')).toBe(true);
      expect(pings('dr-c1', '172.18.0.2')).toBe(false);
      expect(pings('dr-c3', '172.17.0.2')).toBe(false);
      const drops = inNs('dr-host', 'iptables', '-v', '-x', '-n', '-L', 'DOCKER-ISOLATION-STAGE-2').stdout;
      expect(drops).toMatch(/^\s*[1-9]\d*\s+\d+\s+DROP/m);
    } finally {
      await down('dr');
    }
  }, 60_000);

  it('moby 28 rules load as documented', async () => {
    const r = await up(['--name', 'ds', '--publish', '8080:c1:80', '--engine', '28', '--httpd', 'c1']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    try {
      expect(hostSave('ds-host')).toBe(golden('docker-28-s1-bridge-publish'));
      expect(curl('ds-out', 'http://198.51.100.1:8080/')).toBe('hello from c1\n');
      expect(pings('ds-out', '172.17.0.2')).toBe(false);
    } finally {
      await down('ds');
    }
  }, 60_000);
});

describe('host, none, macvlan, ipvlan', () => {
  it('none has lo only; host has no container namespaces', async () => {
    expect((await up(['--name', 'dn', '--network', 'none', '--containers', 'a'])).code).toBe(0);
    expect(inNs('dn-a', 'ip', '-o', 'link').stdout.trim().split('\n').map((l) => l.split(': ')[1])).toEqual(['lo']);
    await down('dn');
    expect((await up(['--name', 'dh', '--network', 'host', '--containers', 'a'])).code).toBe(0);
    expect(markedNetns().filter((n) => n.startsWith('nslab-dh-')).sort()).toEqual(['nslab-dh-host', 'nslab-dh-out']);
    await down('dh');
  }, 60_000);

  it('macvlan children reach each other and the LAN but not their parent host', async () => {
    const r = await up(['--name', 'dm', '--network', 'macvlan', '--subnet', '10.77.0.0/24', '--httpd', 'c1']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    try {
      expect(inNs('dm-c1', 'ip', '-d', 'link', 'show', 'eth0').stdout).toContain('macvlan mode bridge');
      expect(curl('dm-c2', 'http://10.77.0.2/')).toBe('hello from c1\n');
      expect(pings('dm-out', '10.77.0.3')).toBe(true);
      expect(pings('dm-host', '10.77.0.2')).toBe(false);
    } finally {
      await down('dm');
    }
  }, 60_000);

  it('ipvlan on this kernel is a typed unsupported-kernel, nothing made', async () => {
    const r = await up(['--name', 'di', '--network', 'ipvlan']);
    expect(errorOf(r)).toMatchObject({ code: 'unsupported-kernel', field: 'network' });
    expect(markedNetns().filter((n) => n.startsWith('nslab-di-'))).toEqual([]);
    const doctor = await nslabJson<{ linkKinds: Record<string, boolean> }>(state.dir, ['doctor', '--json']).catch(() => null);
    if (doctor) expect(doctor.linkKinds.ipvlan).toBe(false);
  }, 60_000);
});

describe('two hosts', () => {
  it('VXLAN: containers talk across hosts, the FDB is shown, a 1500-byte DF ping fails (MTU 1450)', async () => {
    const r = await up(['--name', 'dv', '--hosts', '2', '--containers', 'c1,c2']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    try {
      expect(pings('dv-c1', '172.19.0.2')).toBe(true);
      expect(pings('dv-c1', '172.19.0.2', '-M', 'do', '-s', '1422')).toBe(true);
      expect(pings('dv-c1', '172.19.0.2', '-M', 'do', '-s', '1472')).toBe(false);
      const show = await nslabJson<{ fdb: Record<string, string[]> }>(state.dir, ['dockernet', 'show', '--name', 'dv', '--json']);
      expect(show.fdb['dv-host1']!.some((l) => l.startsWith('00:00:00:00:00:00 dst 192.0.2.2'))).toBe(true);
      expect(inNs('dv-host1', 'ip', '-d', 'link', 'show', 'vxlan0').stdout).toMatch(/mtu 1450[\s\S]*vxlan id 42[\s\S]*dstport 4789/);
    } finally {
      await down('dv');
    }
  }, 60_000);

  it('direct routing: full 1500-byte packets pass', async () => {
    const r = await up(['--name', 'dw', '--hosts', '2', '--underlay', 'routing', '--containers', 'c1,c2']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    try {
      expect(pings('dw-c1', '172.19.0.2', '-M', 'do', '-s', '1472')).toBe(true);
    } finally {
      await down('dw');
    }
  }, 60_000);
});

describe('bad input: typed errors, nothing made', () => {
  const cases: [string, string[], string, string][] = [
    ['unknown mode', ['--network', 'overlay'], 'invalid-params', 'network'],
    ['port out of range', ['--publish', '70000:c1:80'], 'invalid-params', 'publish.0.hostPort'],
    ['unknown container', ['--publish', '8080:c9:80'], 'invalid-params', 'publish.0.container'],
    ['malformed publish', ['--publish', '8080:80'], 'invalid-params', 'publish.0'],
    ['reserved name', ['--containers', 'host'], 'invalid-params', 'containers.0'],
    ['subnet on the LAN', ['--subnet', '198.51.100.0/25'], 'invalid-params', 'subnet'],
  ];
  it.each(cases)('%s', async (_what, args, code, field) => {
    const r = await up(['--name', 'dx', ...args]);
    expect(r.code).not.toBe(0);
    expect(errorOf(r)).toMatchObject({ code, field });
    expect(markedNetns().filter((n) => n.startsWith('nslab-dx-'))).toEqual([]);
  });

  it('overlapping subnets of two dockernets', async () => {
    expect((await up(['--name', 'dy', '--subnet', '10.55.0.0/16'])).code).toBe(0);
    try {
      const r = await up(['--name', 'dz', '--subnet', '10.55.3.0/24']);
      expect(errorOf(r)).toMatchObject({ code: 'invalid-params', field: 'subnet' });
      expect(markedNetns().filter((n) => n.startsWith('nslab-dz-'))).toEqual([]);
    } finally {
      await down('dy');
    }
  }, 60_000);

  it('a name that collides with another topology’s node', async () => {
    const file = join(state.dir, 'dkclash.yaml');
    writeFileSync(file, 'name: dkclash\nnodes:\n  - name: du-host\n');
    const applied = await nslab(state.dir, ['topo', 'apply', file]);
    expect(applied.code, applied.stderr).toBe(0);
    try {
      const r = await up(['--name', 'du']);
      expect(errorOf(r).code).toBe('exists');
      expect(markedNetns().filter((n) => n.startsWith('nslab-du-'))).toEqual(['nslab-du-host']);
    } finally {
      await nslab(state.dir, ['topo', 'destroy', 'dkclash']);
    }
  }, 60_000);
});

describe('kill -9 in the middle of up', () => {
  it.each([2, 6])('gc after a kill following %i activity events leaves nothing, processes included', async (events) => {
    const helper = await startHelper(state.dir);
    await helper.request('events.subscribe', { events: ['activity'] });
    helper.send(JSON.stringify({ jsonrpc: '2.0', id: 999, method: 'dockernet.up', params: { name: 'dk9', publish: [{ hostPort: 8080, container: 'c1', containerPort: 80 }], httpd: ['c1'] } }) + '\n');
    let seen = 0;
    await helper.waitFor((m) => m.method === 'activity' && ++seen >= events);
    helper.child.kill('SIGKILL');
    await new Promise((r) => helper.child.on('exit', r));
    expect(helper.messages.find((m) => m.id === 999)).toBeUndefined();
    expect(markedNetns().filter((n) => n.startsWith('nslab-dk9-')).length).toBeGreaterThan(0);
    const report = await nslabJson<{ failed: unknown[] }>(state.dir, ['gc', '--json']);
    expect(report.failed).toEqual([]);
    expect(markedNetns().filter((n) => n.startsWith('nslab-dk9-'))).toEqual([]);
    expect(processes('nslab-dk9-')).toEqual([]);
  }, 60_000);
});
