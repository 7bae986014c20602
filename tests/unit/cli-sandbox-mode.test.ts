// Sandbox mode's rules without a kernel: which mode a command gets, how --host/--sandbox are read from
// argv, where the sandbox keeps its state, the helper's argv, which labs need host mode, the idle stop.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxHelperArgv, sandboxPaths } from '../../electron/cli/sandbox/background.js';
import { extractModeFlags, requestedMode, resolveMode } from '../../electron/cli/sandbox/mode.js';
import { loadLabs } from '../../electron/helper/labs/catalogue.js';
import { stopWhenIdle } from '../../electron/helper/rpc/idle.js';
import { NslabError } from '../../electron/shared/errors.js';
import { hostOnlyReason } from '../../electron/shared/labs/index.js';

const argv = (...args: string[]) => ['node', 'nslab', ...args];

describe('the mode a command gets', () => {
  it('root gets host mode, everyone else the sandbox; asking for it wins', () => {
    expect(resolveMode(undefined, 0)).toBe('host');
    expect(resolveMode(undefined, 1000)).toBe('sandbox');
    expect(resolveMode('sandbox', 0)).toBe('sandbox');
    expect(resolveMode('host', 0)).toBe('host');
  });

  it('refuses host mode without root, saying why and what to do instead', () => {
    let err: unknown;
    try {
      resolveMode('host', 65534);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NslabError);
    expect(err).toMatchObject({ code: 'permission-denied', data: { field: 'host' } });
    expect((err as Error).message).toMatch(/uid 65534.*sudo.*sandbox mode/);
  });

  it('reads NSLAB_MODE and names the field when it is neither mode', () => {
    expect(requestedMode({})).toBeUndefined();
    expect(requestedMode({ NSLAB_MODE: 'sandbox' })).toBe('sandbox');
    expect(() => requestedMode({ NSLAB_MODE: 'root' })).toThrow(/NSLAB_MODE must be host or sandbox, not 'root'/);
  });
});

describe('--host and --sandbox in argv', () => {
  it('are taken out before or after the command', () => {
    expect(extractModeFlags(argv('--sandbox', 'topo', 'list'))).toEqual({ argv: argv('topo', 'list'), mode: 'sandbox' });
    expect(extractModeFlags(argv('topo', 'apply', 'f.yaml', '--host', '--json'))).toEqual({ argv: argv('topo', 'apply', 'f.yaml', '--json'), mode: 'host' });
    expect(extractModeFlags(argv('lab', 'list'))).toEqual({ argv: argv('lab', 'list'), mode: undefined });
  });

  it('leave a command run in a node alone after --', () => {
    expect(extractModeFlags(argv('exec', 'red', '--', 'tool', '--host', '--sandbox'))).toEqual({ argv: argv('exec', 'red', '--', 'tool', '--host', '--sandbox'), mode: undefined });
  });

  it("keep serve's own --host <addr> (the address to bind), but not a --host before serve", () => {
    expect(extractModeFlags(argv('serve', '--host', '127.0.0.2', '--sandbox'))).toEqual({ argv: argv('serve', '--host', '127.0.0.2'), mode: 'sandbox' });
    expect(extractModeFlags(argv('--host', 'serve'))).toEqual({ argv: argv('serve'), mode: 'host' });
    expect(extractModeFlags(argv('cni', 'add', 'c1', '--host', 'h1'))).toEqual({ argv: argv('cni', 'add', 'c1', '--host', 'h1'), mode: undefined });
    expect(extractModeFlags(argv('topo', 'apply', 'f', '--host'))).toEqual({ argv: argv('topo', 'apply', 'f'), mode: 'host' });
  });

  it('refuses both at once', () => {
    expect(() => extractModeFlags(argv('--host', 'gc', '--sandbox'))).toThrow(/exclude each other/);
  });
});

describe('the background sandbox helper', () => {
  it('keeps its state beside the host ledger, in the user state directory', () => {
    expect(sandboxPaths({ XDG_STATE_HOME: '/home/u/.state' })).toEqual({
      stateDir: '/home/u/.state/nslab/sandbox',
      socket: '/home/u/.state/nslab/sandbox/helper.sock',
      log: '/home/u/.state/nslab/sandbox/helper.log',
      startLock: '/home/u/.state/nslab/sandbox/start.lock',
    });
    expect(sandboxPaths({ NSLAB_STATE_DIR: '/tmp/s', XDG_STATE_HOME: '/x' }).stateDir).toBe('/tmp/s/sandbox');
  });

  it('runs as argv in a new user, network and mount namespace, with an idle timeout', () => {
    expect(sandboxHelperArgv('/usr/bin/node', '/app/bin/nslab.mjs', '/s/helper.sock', 60)).toEqual([
      'unshare', '--user', '--map-root-user', '--net', '--mount', '--', '/usr/bin/node', '/app/bin/nslab.mjs', 'helper', '--socket', '/s/helper.sock', '--idle-timeout', '60',
    ]);
  });

  it('stops once no client has been connected for the idle time, and not while one is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-unit-idle-'));
    const path = join(dir, 's.sock');
    const server = createServer((s) => s.on('data', () => undefined));
    await new Promise<void>((r) => server.listen(path, r));
    let idleAt = 0;
    const started = Date.now();
    const stop = stopWhenIdle(server, 150, () => (idleAt = Date.now()));
    try {
      const client = connect(path);
      await new Promise((r) => client.once('connect', r));
      await new Promise((r) => setTimeout(r, 300));
      expect(idleAt).toBe(0); // a client is connected: the clock does not run
      const left = Date.now();
      client.destroy();
      await expect.poll(() => idleAt, { timeout: 2000 }).toBeGreaterThan(0);
      expect(idleAt - left).toBeGreaterThanOrEqual(140);
      expect(idleAt - started).toBeGreaterThanOrEqual(440);
    } finally {
      stop();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('labs that need host mode', () => {
  const labs = loadLabs().map((l) => l.lab);
  const marked = (needs: string) => labs.filter((l) => hostOnlyReason(l)?.needs === needs).map((l) => l.id).sort();

  it('are the cgroup and container labs; the network labs run in sandbox mode', () => {
    expect(marked('cgroups')).toEqual(labs.filter((l) => l.cgroups?.length).map((l) => l.id).sort());
    expect(marked('containers').length).toBeGreaterThan(0);
    for (const id of marked('containers')) expect(labs.find((l) => l.id === id)!.containers?.length).toBeGreaterThan(0);
    const network = labs.filter((l) => !hostOnlyReason(l)).map((l) => l.id);
    expect(network).toEqual(expect.arrayContaining(['netns-veth', 'netns-bridge', 'ping-failed', 'netfilter-hooks', 'nat-outside']));
    for (const id of network) expect(labs.find((l) => l.id === id)!.topology).toBeDefined();
  });

  it('say why in words', () => {
    expect(hostOnlyReason(labs.find((l) => l.id === 'cgroup-memory')!)?.reason).toMatch(/cgroup limits: in sandbox mode cgroups are read-only/);
  });
});
