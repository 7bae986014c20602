// Host mode may place marked objects in the root namespace; nslab still never touches the host's own.
import { spawnSync } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markedRootLinks, nslab } from '../support/cli.js';
import { useHelper } from '../support/helper.js';

const fixture = useHelper();
const call = (method: string, params: unknown) => fixture.helper.call(method, params);

describe('root namespace', () => {
  it('links a node to the host with a marked veth, routes through it, and cleans up', async () => {
    await call('net.netns.create', { node: 'red' });
    await call('net.link.create', { name: 'nslab-h-red', kind: 'veth', peer: { node: 'red', name: 'eth0' } });
    await call('net.addr.add', { dev: 'nslab-h-red', address: '10.99.0.1/30' });
    await call('net.addr.add', { node: 'red', dev: 'eth0', address: '10.99.0.2/30' });
    await call('net.route.add', { to: '10.99.1.0/24', via: '10.99.0.2', dev: 'nslab-h-red' });
    const routes = spawnSync('ip', ['route', 'show', '10.99.1.0/24'], { encoding: 'utf8' }).stdout;
    expect(routes).toMatch(/via 10\.99\.0\.2 dev nslab-h-red/);
    expect(spawnSync('ip', ['netns', 'exec', 'nslab-red', 'ping', '-c1', '-W2', '10.99.0.1']).status).toBe(0);
    // routes through the host's own devices are refused
    await expect(call('net.route.add', { to: '10.99.2.0/24', dev: 'lo' })).rejects.toMatchObject({ data: { code: 'permission-denied', field: 'dev' } });
    await expect(call('net.route.add', { to: '10.99.2.0/24', via: '10.99.0.2' })).rejects.toMatchObject({ data: { code: 'permission-denied' } });
    expect(markedRootLinks()).toEqual(['nslab-h-red']);
    await call('net.link.delete', { name: 'nslab-h-red' });
    await call('net.netns.delete', { node: 'red' });
    expect(markedRootLinks()).toEqual([]);
  });

  it('serves on a 0600 socket inside a 0700 directory', () => {
    const sock = lstatSync(join(fixture.stateDir, 'helper.sock'));
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o600);
    expect(lstatSync(fixture.stateDir).mode & 0o777).toBe(0o700);
  });

  it('lets a CLI in another terminal use the running helper (its ledger lock is held)', async () => {
    const r = await nslab(fixture.stateDir, ['rpc', 'helper.hello']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).pid).toBe(fixture.helper.child.pid);
  });
});
