// Containers' validators: capabilities by name, user-namespace ID maps by the kernel's rules, --net and
// flag parsing, and /proc parsers for the isolation view (fed with mountinfo captured from a container).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES, DOCKER_DEFAULT_CAPS, capabilityName, decodeCapMask, resolveCapabilities } from '../../electron/shared/container/capabilities.js';
import { hostIdOf, idMapProblem, outsideWithin, parseIdMap } from '../../electron/shared/container/idmap.js';
import { ContainerRunParams } from '../../electron/shared/contract/index.js';
import { parseNet, runParams } from '../../electron/cli/commands/container.js';
import { parseMountinfo, propagationOf } from '../../electron/helper/container/inspect.js';

describe('capabilities', () => {
  it('has the 41 capabilities of kernel 5.9+ in bit order', () => {
    expect(CAPABILITIES).toHaveLength(41);
    expect(CAPABILITIES[21]).toBe('sys_admin');
    expect(CAPABILITIES[40]).toBe('checkpoint_restore');
  });
  it.each(['NET_ADMIN', 'cap_net_admin', 'net_admin', ' Net_Admin '])('reads %j as net_admin', (n) => expect(capabilityName(n)).toBe('net_admin'));
  it('refuses names that do not exist', () => {
    expect(capabilityName('NET_ADMINS')).toBeNull();
    const r = ContainerRunParams.safeParse({ argv: ['true'], capAdd: ['SYS_FOO'] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/"SYS_FOO" is not a Linux capability; allowed: ALL or one of CHOWN/);
    expect(r.error!.issues[0]!.path).toEqual(['capAdd', 0]);
  });
  it('decodes /proc masks by name', () => {
    expect(decodeCapMask('0000000000000021')).toEqual(['chown', 'kill']);
    expect(decodeCapMask('000001ffffffffff')).toEqual([...CAPABILITIES]);
  });
  it("follows Docker's drop-then-add rule", () => {
    expect(resolveCapabilities([], [])).toEqual(CAPABILITIES.filter((c) => DOCKER_DEFAULT_CAPS.includes(c)));
    expect(resolveCapabilities(['all'], ['net_bind_service'])).toEqual(['net_bind_service']);
    expect(resolveCapabilities(['mknod'], ['sys_admin'])).toContain('sys_admin');
    expect(resolveCapabilities(['mknod'], [])).not.toContain('mknod');
  });
});

describe('user-namespace ID maps', () => {
  const line = (inside: number, outside: number, count: number) => ({ inside, outside, count });
  it('accepts a one-line map and a disjoint two-line map', () => {
    expect(idMapProblem([line(0, 100000, 65536)])).toBeNull();
    expect(idMapProblem([line(0, 100000, 1000), line(1000, 200000, 1000)])).toBeNull();
  });
  it('names the rule an overlapping map breaks', () => {
    expect(idMapProblem([line(0, 100000, 1000), line(500, 300000, 10)])).toEqual({ index: 1, rule: expect.stringMatching(/inside range overlaps line 0.*EINVAL/) });
    expect(idMapProblem([line(0, 100000, 1000), line(5000, 100500, 10)])).toEqual({ index: 1, rule: expect.stringMatching(/outside range overlaps line 0/) });
  });
  it('refuses empty, zero-count and past-the-end ranges', () => {
    expect(idMapProblem([])?.rule).toMatch(/at least one line/);
    expect(idMapProblem([line(0, 1, 0)])?.rule).toMatch(/count must be at least 1/);
    expect(idMapProblem([line(0, 4294967000, 1000)])?.rule).toMatch(/4294967294/);
  });
  it("checks the outside range against the writer's own map (EPERM otherwise)", () => {
    // in sandbox mode the helper's own namespace has only its uid 0 (host uid 1000): outside IDs are its IDs
    const sandbox = parseIdMap('         0       1000          1\n');
    expect(outsideWithin([line(0, 0, 1)], sandbox)).toBeNull();
    expect(outsideWithin([line(0, 1000, 1)], sandbox)).toBe(0);
    expect(outsideWithin([line(0, 0, 2)], sandbox)).toBe(0);
    const host = parseIdMap('         0          0 4294967295\n');
    expect(outsideWithin([line(0, 100000, 65536)], host)).toBeNull();
  });
  it('tells what root inside is on the host', () => {
    expect(hostIdOf(0, [line(0, 100000, 65536)])).toBe(100000);
    expect(hostIdOf(0, [line(1, 100000, 65536)])).toBeNull();
  });
  it('is validated by the contract, with the line that breaks it', () => {
    const r = ContainerRunParams.safeParse({ argv: ['true'], userns: true, uidMap: [line(0, 100000, 10), line(5, 200000, 10)] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['uidMap', 1]);
  });
});

describe('container run flags', () => {
  it.each([
    ['none', 'none'],
    ['web', { node: 'web' }],
    ['bridge:hub/br0', { node: 'hub', bridge: 'br0' }],
  ])('--net %s', (text, net) => expect(parseNet(text)).toEqual(net));
  it('names the flag that is wrong', () => {
    expect(() => parseNet('bridge:hub')).toThrow(/bridge:NODE\/BRIDGE/);
    expect(() => runParams(['true'], { memory: '5m' })).toThrow(/minimum memory limit is 6m/);
    expect(() => runParams(['true'], { name: 'Bad/Name' })).toThrow(/--name: container name may contain only/);
    expect(() => runParams(['true'], { userns: true, uidMap: ['0:100000'] })).toThrow(/--uid-map 0:100000: expected INSIDE:OUTSIDE:COUNT/);
    expect(() => runParams([], {})).toThrow(/give the command to run/);
  });
  it('passes a good command line through', () => {
    expect(runParams(['sh', '-c', 'true'], { name: 'web', net: 'bridge:hub/br0', ip: '10.0.0.2/24', capDrop: ['ALL'], capAdd: ['NET_BIND_SERVICE'], readOnly: true, newPrivs: false })).toMatchObject({
      name: 'web', net: { node: 'hub', bridge: 'br0' }, ip: '10.0.0.2/24', capDrop: ['ALL'], readOnly: true, noNewPrivs: true, argv: ['sh', '-c', 'true'],
    });
  });
});

describe('isolation view parsers', () => {
  it('reads propagation like findmnt', () => {
    expect(propagationOf([])).toBe('private');
    expect(propagationOf(['shared:1'])).toBe('shared');
    expect(propagationOf(['master:3'])).toBe('slave');
  });
  it('parses a container mountinfo captured on this machine', () => {
    const mounts = parseMountinfo(readFileSync(new URL('../fixtures/container/mountinfo.txt', import.meta.url), 'utf8'));
    expect(mounts[0]).toMatchObject({ target: '/', fstype: 'overlay', propagation: 'private' });
    expect(mounts.find((m) => m.target === '/sys')).toMatchObject({ fstype: 'sysfs', readOnly: true });
    expect(mounts.find((m) => m.target === '/.nslab')).toMatchObject({ readOnly: true });
  });
});

describe('container export', () => {
  it('replaces nslab’s paths with variables and keeps every build step', async () => {
    const { containerScript } = await import('../../electron/helper/container/script.js');
    const state = '/var/lib/nslab';
    const dir = `${state}/containers/web`;
    const script = containerScript(state, {
      name: 'web', argv: ['sleep', '300'], rootfs: 'busybox', hostname: 'web', netns: 'private', cgroup: 'nslab/c-web', net: 'none', ip: null, userns: null,
      capabilities: ['chown'], readOnly: false, noNewPrivs: false, limits: {}, createdAt: '2026-12-01T00:00:00Z', owner: 'container:web', exit: null,
      pid1: null, pidNs: null, gatePid: null, peer: null, uidMap: null, gidMap: null,
      commands: [`DIR=${dir}`, `mkfifo -m 0666 ${dir}/gate-start ${dir}/gate-run`, `nsenter -t "$PID1" -m -- mount -t overlay -o lowerdir=${state}/rootfs/skeleton:${state}/rootfs/busybox nslab-rootfs ${dir}/root`],
    });
    expect(script).toMatch(/^#!\/bin\/sh\n/);
    expect(script).toContain('mkfifo -m 0666 $DIR/gate-start $DIR/gate-run');
    expect(script).toContain('lowerdir=$ROOTFS/skeleton:$ROOTFS/busybox nslab-rootfs $DIR/root');
    expect(script).not.toContain(state);
    expect(script).toContain('chroot "$ROOTFS/busybox" /bin/busybox --install -s /bin');
  });
});

describe('container fstab', () => {
  it('writes one fstab(5) line per mount, fields escaped, and names the mount each stands for', async () => {
    const { fstabLine, mountArgv } = await import('../../electron/helper/container/fstab.js');
    const overlay = { source: 'nslab-rootfs', target: '/s/my root', type: 'overlay', options: 'lowerdir=/a:/b,upperdir=/u,workdir=/w', flags: ['-m'] };
    expect(fstabLine(overlay)).toBe('nslab-rootfs /s/my\\040root overlay lowerdir=/a:/b,upperdir=/u,workdir=/w 0 0\n');
    expect(fstabLine({ ...overlay, target: 'a\\b\tc' })).toContain(' a\\134b\\011c ');
    expect(mountArgv(overlay)).toEqual(['mount', '-t', 'overlay', '-o', 'lowerdir=/a:/b,upperdir=/u,workdir=/w', 'nslab-rootfs', '/s/my root']);
    expect(mountArgv({ source: '/t', target: '/r/.nslab', type: 'none', options: 'bind,ro', flags: ['-m'] })).toEqual(['mount', '--bind', '-o', 'ro', '/t', '/r/.nslab']);
  });
});

describe('container staged steps', () => {
  it('runs every step in one nsenter + find, in order, and keeps the single command each stands for', async () => {
    const { stagedArgv, stagedLines, stagedFlags, STAGED_DONE } = await import('../../electron/helper/container/staged.js');
    const steps = [
      { argv: ['mount', '-a', '-T', '/d/fstab'], ops: [], stands: [{ flags: ['-m'], argv: ['mount', '-t', 'proc', 'proc', '/d/root/proc'] }, { flags: ['-m', '-p'], argv: ['mount', '-t', 'proc', 'proc', '/x'] }] },
      { argv: ['hostname', 'box'], ops: [], stands: [{ flags: ['-u'], argv: ['hostname', 'box'] }] },
    ];
    expect(stagedFlags(steps)).toEqual(['-m', '-u', '-p']);
    expect(stagedArgv(42, '/d', steps)).toEqual(['nsenter', '-t', '42', '-m', '-u', '-p', '--', 'find', '/d', '-maxdepth', '0', '-exec', 'mount', '-a', '-T', '/d/fstab', ';', '-exec', 'hostname', 'box', ';', '-printf', `${STAGED_DONE}\\n`]);
    expect(stagedLines(42, steps).map((l) => l.join(' '))).toEqual(['nsenter -t 42 -m -- mount -t proc proc /d/root/proc', 'nsenter -t 42 -m -p -- mount -t proc proc /x', 'nsenter -t 42 -u -- hostname box']);
  });
  it('gives the Perl sequencer each mount(2) as mount(8) makes it, and joins namespaces in nsenter’s order', async () => {
    const { mountOps, hostnameOps, programOps, pivotRootOps, detachOps, stagedPerlArgv, STAGED_PROGRAM } = await import('../../electron/helper/container/staged.js');
    expect(mountOps({ source: 'nslab-rootfs', target: '/r', type: 'overlay', options: 'ro,lowerdir=/a:/b,upperdir=/u,workdir=/w', flags: ['-m'] })).toEqual(['m', 'nslab-rootfs', '/r', 'overlay', '1', 'lowerdir=/a:/b,upperdir=/u,workdir=/w']);
    expect(mountOps({ source: 'proc', target: '/r/proc', type: 'proc', options: 'nosuid,nodev,noexec', flags: ['-m', '-p'] })).toEqual(['m', 'proc', '/r/proc', 'proc', '14', '']);
    // a read-only bind: the bind, then its remount read-only (MS_REMOUNT | MS_BIND | MS_RDONLY)
    expect(mountOps({ source: '/t', target: '/r/.nslab', type: 'none', options: 'bind,ro', flags: ['-m'] })).toEqual(['m', '/t', '/r/.nslab', 'none', '4096', '', 'm', 'none', '/r/.nslab', 'none', '4129', '']);
    expect(mountOps({ source: '/t', target: '/r/x', type: 'none', options: 'bind', flags: ['-m'] })).toEqual(['m', '/t', '/r/x', 'none', '4096', '']);
    const steps = [
      { argv: [], ops: hostnameOps('box'), stands: [{ flags: ['-u'], argv: ['hostname', 'box'] }] },
      { argv: [], ops: [...programOps(['ip', '-batch', '/f']), ...pivotRootOps('/r', '/r/.oldroot'), ...detachOps('/.oldroot')], stands: [{ flags: ['-m', '-p', '-n'], argv: [] }] },
    ];
    const argv = stagedPerlArgv(42, steps, true);
    if (process.arch !== 'x64') return; // the numbers below are x86-64's
    expect(argv).toEqual(['perl', '-e', STAGED_PROGRAM, '308', '165', '166', '155', '170', '42', 'uts,net,pid,mnt', 'h', 'box', 'x', '3', 'ip', '-batch', '/f', 'p', '/r', '/r/.oldroot', 'u', '/.oldroot', '2']);
    expect(stagedPerlArgv(42, steps, false)).toBeNull(); // no perl: the find sequencer
    expect(stagedPerlArgv(42, [{ argv: [], ops: [], stands: [{ flags: ['-U', '-m'], argv: [] }] }], true)).toBeNull(); // a user namespace
  });
  it('refuses words find would read as its own', async () => {
    const { stagedArgv } = await import('../../electron/helper/container/staged.js');
    expect(() => stagedArgv(1, '/d', [{ argv: ['hostname', 'a{}b'], ops: [], stands: [] }])).toThrow(/cannot carry/);
    expect(() => stagedArgv(1, '/d', [{ argv: ['echo', ';'], ops: [], stands: [] }])).toThrow(/cannot carry/);
  });
});
