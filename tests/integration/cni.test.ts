// Real CNI plugins (Debian's containernetworking-plugins) run by nslab's CNI runtime on nodes nslab made:
// ADD→CHECK→DEL leaves the host node as it was (links, addresses, iptables and ip6tables rules, host-local
// leases); portmap reads bridge's result through prevResult; bad input is refused with nothing built; a
// kill -9 in the middle of ADD is undone by the next start (and gc).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CniAttachment, CniCall } from '../../electron/shared/contract/index.js';
import { NSLAB, ROOT, nslab, nslabJson } from '../support/cli.js';
import { ledgerForThisFile } from '../support/cli-file.js';

const state = ledgerForThisFile();
const work = mkdtempSync(join(tmpdir(), 'nslab-cni-'));
const HOST = 'cnit-h';
const C1 = 'cnit-c1';
const C2 = 'cnit-c2';

const sh = (argv: string[]): string => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }).stdout ?? '';
/** The host node as a learner would compare it: links, IPv4/IPv6 addresses, rules and chains of both families. */
const hostState = (): string =>
  [
    sh(['ip', '-n', `nslab-${HOST}`, '-br', 'addr']).replace(/\s+/g, ' '),
    sh(['ip', 'netns', 'exec', `nslab-${HOST}`, 'iptables-save']).split('\n').filter((l) => l.startsWith('-') || (l.startsWith(':') && !/^:(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) /.test(l))).join('\n'),
    sh(['ip', 'netns', 'exec', `nslab-${HOST}`, 'ip6tables-save']).split('\n').filter((l) => l.startsWith('-') || (l.startsWith(':') && !/^:(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) /.test(l))).join('\n'),
  ].join('\n---\n');
const ipamDir = (): string => join(state.dir, 'cni', 'ipam');
const leases = (): string[] => (existsSync(ipamDir()) ? readdirSync(ipamDir(), { recursive: true, encoding: 'utf8' }) : []);

function conflist(name: string, extra: object[] = [], ranges: object[][] = [[{ subnet: '10.22.0.0/24' }]]): string {
  const file = join(work, `${name}-${Math.random().toString(36).slice(2)}.conflist`);
  writeFileSync(
    file,
    JSON.stringify({
      cniVersion: '1.0.0',
      name,
      plugins: [{ type: 'bridge', bridge: 'cni0', isGateway: true, ipMasq: true, ipam: { type: 'host-local', ranges, routes: [{ dst: '0.0.0.0/0' }] } }, ...extra],
    }),
  );
  return file;
}

type AddResult = { attachment: CniAttachment; calls: CniCall[] };
const errorOf = async (args: string[]): Promise<{ code: string; message: string; field?: string; [k: string]: unknown }> => {
  const r = await nslab(state.dir, [...args, '--json']);
  expect(r.code).not.toBe(0);
  return (JSON.parse(r.stdout) as { error: { code: string; message: string; data?: Record<string, unknown> } }).error as never;
};

let pristine = '';
beforeAll(async () => {
  const topo = join(work, 'topo.yaml');
  writeFileSync(topo, `name: cnit\nnodes:\n  - name: ${HOST}\n  - name: ${C1}\n  - name: ${C2}\n`);
  await nslabJson(state.dir, ['topo', 'apply', topo, '--json']);
  pristine = hostState();
});

afterAll(async () => {
  await nslab(state.dir, ['topo', 'destroy', 'cnit']);
  rmSync(work, { recursive: true, force: true });
});

describe('cni add → check → del', () => {
  it('bridge + host-local: the result is read back from the kernel, CHECK passes, DEL leaves nothing', async () => {
    const r = await nslabJson<AddResult>(state.dir, ['cni', 'add', C1, '--host', HOST, '--config', conflist('t1'), '--json']);
    const ip = r.attachment.result!.ips![0]!;
    expect(ip).toMatchObject({ address: '10.22.0.2/24', gateway: '10.22.0.1', interface: 2 });
    expect(r.attachment.result!.interfaces![2]).toMatchObject({ name: 'eth0', sandbox: `/run/netns/nslab-${C1}` });
    expect(sh(['ip', '-n', `nslab-${C1}`, '-br', 'addr', 'show', 'eth0'])).toContain('10.22.0.2/24');
    expect(sh(['ip', '-n', `nslab-${C1}`, 'route'])).toContain('default via 10.22.0.1 dev eth0');
    expect(sh(['ip', '-n', `nslab-${HOST}`, '-br', 'addr', 'show', 'cni0'])).toContain('10.22.0.1/24');
    expect(leases()).toContain(join('t1', '10.22.0.2'));
    expect(readFileSync(join(ipamDir(), 't1', '10.22.0.2'), 'utf8')).toContain(C1); // the lease names the container
    const ledger = await nslabJson<{ objects: { kind: string; name: string }[] }>(state.dir, ['rpc', 'ledger.list']);
    expect(ledger.objects).toContainEqual(expect.objectContaining({ kind: 'cni', netns: `nslab-${C1}`, name: `t1.${C1}.eth0` }));

    const check = await nslabJson<{ calls: CniCall[] }>(state.dir, ['cni', 'check', C1, '--json']);
    expect(check.calls.map((c) => `${c.command} ${c.plugin} ${c.ok}`)).toEqual(['CHECK bridge true']);

    // CHECK notices what was broken behind the plugins' back.
    spawnSync('ip', ['-n', `nslab-${C1}`, 'addr', 'flush', 'dev', 'eth0']);
    const broken = await errorOf(['cni', 'check', C1]);
    expect(broken.message).toMatch(/bridge CHECK failed/);

    const del = await nslabJson<{ calls: CniCall[] }>(state.dir, ['cni', 'del', C1, '--json']);
    expect(del.calls.map((c) => c.command + ' ' + c.plugin)).toEqual(['DEL bridge']);
    expect(hostState()).toBe(pristine);
    expect(sh(['ip', '-n', `nslab-${C1}`, '-br', 'link'])).not.toContain('eth0');
    expect(leases()).toEqual([]);
    expect((await nslabJson<{ attachments: unknown[] }>(state.dir, ['cni', 'ls', '--json'])).attachments).toEqual([]);
  });

  it('bridge → portmap: portmap gets bridge\'s result as prevResult and DNATs to the address host-local chose', async () => {
    const file = conflist('t2', [{ type: 'portmap', capabilities: { portMappings: true } }], [[{ subnet: '10.23.0.0/24' }], [{ subnet: 'fd23::/64' }]]);
    const a = await nslabJson<AddResult>(state.dir, ['cni', 'add', C1, '--host', HOST, '--config', file, '--publish', '8080:80', '--json']);
    const b = await nslabJson<AddResult>(state.dir, ['cni', 'add', C2, '--host', HOST, '--config', file, '--publish', '8081:80', '--json']);
    expect(a.calls.map((c) => c.plugin)).toEqual(['bridge', 'portmap']);
    // portmap answers with the result it was given: the chain's final result is bridge's.
    expect(a.calls[1]!.output).toEqual(a.calls[0]!.output);
    const v4 = (r: AddResult) => r.attachment.result!.ips!.find((i) => !i.address.includes(':'))!.address.split('/')[0];
    expect([v4(a), v4(b)]).toEqual(['10.23.0.2', '10.23.0.3']);
    const nat = sh(['ip', 'netns', 'exec', `nslab-${HOST}`, 'iptables-save', '-t', 'nat']);
    expect(nat).toContain(`--to-destination ${v4(a)}:80`);
    expect(nat).toContain(`--to-destination ${v4(b)}:80`);
    expect(nat).toMatch(/-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT/);
    expect(sh(['ip', 'netns', 'exec', `nslab-${HOST}`, 'ip6tables-save', '-t', 'nat'])).toContain('CNI-HOSTPORT-DNAT');

    // Debian's portmap (1.1.1) cannot pass CHECK (containernetworking/plugins#819): a typed error naming it.
    const check = await errorOf(['cni', 'check', C1]);
    expect(check.message).toMatch(/portmap CHECK failed .*plugins#819/);

    // The first container leaves: the bridge and portmap's shared chains stay for the second…
    await nslabJson(state.dir, ['cni', 'del', C1, '--json']);
    expect(sh(['ip', '-n', `nslab-${HOST}`, '-br', 'link'])).toContain('cni0');
    expect(sh(['ip', 'netns', 'exec', `nslab-${HOST}`, 'iptables-save', '-t', 'nat'])).not.toContain(`${v4(a)}:80`);
    // …and go with the last one.
    await nslabJson(state.dir, ['cni', 'del', C2, '--json']);
    expect(hostState()).toBe(pristine);
    expect(leases()).toEqual([]);
  });
});

describe('bad input: typed errors, nothing built', () => {
  it('config that is not JSON says where', async () => {
    const file = join(work, 'bad.conflist');
    writeFileSync(file, '{\n  "cniVersion": "1.0.0",\n  "name": "bad",\n  "plugins": [ { "type": "bridge", } ]\n}\n');
    const e = await errorOf(['cni', 'add', C1, '--host', HOST, '--config', file]);
    expect(e.code).toBe('invalid-params');
    expect(e.message).toMatch(/line 4, column 36/);
  });

  it('a plugin that is not installed says how to install it', async () => {
    const e = await errorOf(['cni', 'add', C1, '--host', HOST, '--config', conflist('t3', [{ type: 'no-such-plugin' }])]);
    expect(e.code).toBe('tool-missing');
    expect(e.message).toMatch(/no-such-plugin .*apt install containernetworking-plugins/);
    expect(hostState()).toBe(pristine);
  });

  it('an unknown namespace is not-found', async () => {
    const e = await errorOf(['cni', 'add', 'cnit-nobody', '--host', HOST, '--config', conflist('t4')]);
    expect(e.code).toBe('not-found');
    expect(e.message).toMatch(/^node: no namespace nslab-cnit-nobody/);
  });

  it('a plugin failing mid-list: the runtime DELs what the earlier ones built', async () => {
    // tuning refuses a sysctl that does not exist, after bridge has built everything and leased an address.
    const e = await errorOf(['cni', 'add', C1, '--host', HOST, '--config', conflist('t5', [{ type: 'tuning', sysctl: { 'net.ipv4.conf.eth0.no_such_knob': '1' } }])]);
    expect(e.message).toMatch(/^tuning ADD failed/);
    expect(hostState()).toBe(pristine);
    expect(sh(['ip', '-n', `nslab-${C1}`, '-br', 'link'])).not.toContain('eth0');
    expect(leases()).toEqual([]);
    expect((await nslabJson<{ attachments: unknown[] }>(state.dir, ['cni', 'ls', '--json'])).attachments).toEqual([]);
  });
});

describe('doctor', () => {
  it('lists each CNI plugin with the spec versions it answers to CNI_COMMAND=VERSION', async () => {
    const report = await nslabJson<{ checks: { id: string; status: string; detail: string }[] }>(state.dir, ['doctor', '--json']);
    for (const plugin of ['bridge', 'host-local', 'portmap', 'loopback', 'ptp', 'macvlan']) {
      const check = report.checks.find((c) => c.id === `cni.${plugin}`)!;
      expect(check.status).toBe('ok');
      expect(check.detail).toMatch(new RegExp(`^/usr/lib/cni/${plugin}; CNI versions .*1\\.0\\.0; package containernetworking-plugins \\d`));
    }
    const listed = await nslabJson<{ plugins: { plugin: string; supportedVersions: string[] }[] }>(state.dir, ['cni', 'plugins', '--json']);
    expect(listed.plugins.find((p) => p.plugin === 'portmap')?.supportedVersions).toContain('1.0.0');
  });
});

describe('kill -9 mid-ADD', () => {
  it('the next start DELs the half-made attachment; nothing of it remains', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-cni-plugins-'));
    const pidFile = join(dir, 'pid');
    // A real plugin file that hangs after bridge has run: the moment to kill the runtime.
    // (Only on ADD: its DEL, which the runtime calls when it undoes the attachment, succeeds at once.)
    writeFileSync(join(dir, 'nslab-test-hang'), `#!/bin/sh\ncat >/dev/null\n[ "$CNI_COMMAND" = ADD ] || exit 0\necho $$ > ${pidFile}\nexec sleep 60\n`);
    chmodSync(join(dir, 'nslab-test-hang'), 0o755);
    const cli = spawn(process.execPath, [NSLAB, 'cni', 'add', C1, '--host', HOST, '--config', conflist('t6', [{ type: 'nslab-test-hang' }]), '--plugin-dir', dir], { env: { ...process.env, NSLAB_STATE_DIR: state.dir }, cwd: ROOT, stdio: 'ignore' });
    try {
      for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(pidFile)).toBe(true);
      expect(sh(['ip', '-n', `nslab-${HOST}`, '-br', 'link'])).toContain('cni0'); // bridge had built its part
      cli.kill('SIGKILL');
      await new Promise((r) => cli.once('exit', r));
    } finally {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      if (pid > 0) spawnSync('kill', ['-9', String(pid)]);
    }
    expect(leases()).toContain(join('t6', '10.22.0.2'));

    // Any start of the core reconciles: the open ADD is undone by a DEL of the cached list.
    await nslabJson(state.dir, ['cni', 'ls', '--json']);
    expect(hostState()).toBe(pristine);
    expect(sh(['ip', '-n', `nslab-${C1}`, '-br', 'link'])).not.toContain('eth0');
    expect(leases()).toEqual([]);
    const gc = await nslabJson<{ failed: unknown[]; deleted: { kind: string }[] }>(state.dir, ['gc', '--dry-run', '--json']);
    expect(gc.failed).toEqual([]);
    expect(gc.deleted.filter((o) => o.kind === 'cni')).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
