// Bad input at the helper boundary: a typed error naming the field, nothing created, and the helper
// keeps serving the next request.
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../../electron/shared/rpc.js';
import { kernelState, nslab } from '../support/cli.js';
import { useHelper } from '../support/helper.js';

const fixture = useHelper();
const before = kernelState();

type RpcError = { code: number; message: string; data: { code: string; field?: string } };
const errorOf = (m: Record<string, unknown>): RpcError => {
  expect(m.error, JSON.stringify(m)).toBeDefined();
  return m.error as RpcError;
};

async function expectRefused(method: string, params: unknown, code: string, field?: string): Promise<void> {
  const error = errorOf(await fixture.helper.request(method, params));
  expect(error.data.code).toBe(code);
  if (field !== undefined) expect(error.data.field).toBe(field);
  expect(kernelState()).toBe(before);
  expect((await fixture.helper.request('helper.hello', {})).result).toMatchObject({ pid: fixture.helper.child.pid });
}

describe('names', () => {
  it.each([
    ['empty', ''],
    ['too long', 'n'.repeat(33)],
    ['slash', 'a/b'],
    ['space', 'a b'],
    ['control character', 'a\u0001b'],
    ['leading dash', '-rf'],
    ['not a string', 5],
  ])('namespace name: %s', (_what, node) => expectRefused('net.netns.create', { node }, 'invalid-params', 'node'));

  it.each([
    ['16 bytes', 'abcdefghijklmnop'],
    ['multi-byte over 15 bytes', '가나다라마바'],
    ['slash', 'eth/0'],
    ['leading dash', '-eth0'],
  ])('interface name: %s', (_what, name) =>
    expectRefused('net.link.create', { node: 'whatever', name, kind: 'bridge' }, 'invalid-params', 'name'),
  );
});

describe('addresses and kinds', () => {
  it.each(['10.0.0.1/33', '300.1.1.1/24', '10.0.0.1', 'abc', 'fd00::1/129', '10.0.0.1/24; reboot'])('CIDR %s', (address) =>
    expectRefused('net.addr.add', { node: 'red', dev: 'eth0', address }, 'invalid-params', 'address'),
  );

  it('unknown link kind', () => expectRefused('net.link.create', { node: 'red', name: 'x0', kind: 'wormhole' }, 'invalid-params', 'kind'));

  it('a veth whose peer namespace does not exist', () =>
    expectRefused('net.link.create', { name: 'nslab-v0', kind: 'veth', peer: { node: 'no-such-node', name: 'v1' } }, 'not-found', 'peer.node'));

  it('a route that is not a prefix', () => expectRefused('net.route.add', { node: 'red', to: '10.0.0.0/40', dev: 'eth0' }, 'invalid-params', 'to'));
});

describe('JSON-RPC framing', () => {
  it('unknown method', () => expectRefused('net.nuke', {}, 'unknown-method', 'method'));
  it('params of the wrong type', () => expectRefused('ledger.gc', { dryRun: 'yes' }, 'invalid-params', 'dryRun'));
  it('unexpected extra params', () => expectRefused('helper.hello', { sudo: true }, 'invalid-params'));

  it('malformed JSON', async () => {
    const count = fixture.helper.messages.length;
    fixture.helper.send('{"jsonrpc":"2.0","id":1,"method":\n');
    const reply = await fixture.helper.waitFor((m) => fixture.helper.messages.indexOf(m) >= count && m.id === null);
    expect(errorOf(reply).data.code).toBe('parse-error');
    expect((await fixture.helper.request('helper.hello', {})).result).toBeDefined();
  });

  it('an oversized message', async () => {
    const count = fixture.helper.messages.length;
    fixture.helper.send(JSON.stringify({ jsonrpc: '2.0', id: 'big', method: 'helper.hello', params: { pad: 'x'.repeat(MAX_MESSAGE_BYTES + 10) } }) + '\n');
    const reply = await fixture.helper.waitFor((m) => fixture.helper.messages.indexOf(m) >= count && m.error !== undefined);
    expect(errorOf(reply).data.code).toBe('invalid-request');
    expect((await fixture.helper.request('helper.hello', {})).result).toBeDefined();
  });

  it('not a JSON-RPC request', async () => {
    const count = fixture.helper.messages.length;
    fixture.helper.send('{"id":7,"hello":"world"}\n');
    const reply = await fixture.helper.waitFor((m) => fixture.helper.messages.indexOf(m) >= count && m.id === 7);
    expect(errorOf(reply).data.code).toBe('invalid-request');
  });
});

describe('topology files', () => {
  it('refuses a shipped topology that does not exist, naming the field and the shipped ones', async () => {
    await expectRefused('topology.apply', { builtin: 'no-such' }, 'not-found', 'builtin');
    const error = errorOf(await fixture.helper.request('topology.apply', { builtin: 'no-such' }));
    expect(error.message).toMatch(/shipped: .*red-blue/);
  });

  it('takes either a shipped name or YAML text, not both and not neither', async () => {
    await expectRefused('topology.apply', {}, 'invalid-params');
    await expectRefused('topology.apply', { builtin: 'red-blue', yaml: 'name: x\n' }, 'invalid-params');
    await expectRefused('topology.apply', { builtin: '../etc/passwd' }, 'invalid-params', 'builtin');
  });

  it('names the file, line and field of a bad value', async () => {
    const yaml = 'name: bad\nnodes:\n  - name: red\n  - name: blue\nlinks:\n  - endpoints:\n      - { node: red, name: eth0, addresses: [10.0.0.1/99] }\n      - { node: blue, name: eth0 }\n';
    const error = errorOf(await fixture.helper.request('topology.apply', { yaml, file: 'bad.yaml' }));
    expect(error.data).toMatchObject({ code: 'invalid-params', field: 'links.0.endpoints.0.addresses.0', line: 7 });
    expect(error.message).toMatch(/^bad\.yaml:7:\d+: /);
    expect(kernelState()).toBe(before);
  });

  it('refuses a link to an undefined node', async () => {
    const yaml = 'name: bad\nnodes:\n  - name: red\nlinks:\n  - endpoints:\n      - { node: red, name: eth0 }\n      - { node: ghost, name: eth0 }\n';
    const error = errorOf(await fixture.helper.request('topology.apply', { yaml }));
    expect(error.data).toMatchObject({ code: 'invalid-params', field: 'links.0.endpoints.1.node' });
  });

  it('reports YAML syntax errors with their line', async () => {
    const error = errorOf(await fixture.helper.request('topology.apply', { yaml: 'name: x\nnodes: [\n', file: 'broken.yaml' }));
    expect(error.data.code).toBe('invalid-params');
    expect(error.message).toMatch(/^broken\.yaml:\d+:/);
  });
});

describe('the CLI', () => {
  it('prints the typed error as JSON with a non-zero exit code', async () => {
    const r = await nslab(fixture.stateDir, ['rpc', 'net.netns.create', '{"node":"a/b"}']);
    expect(r.code).not.toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'invalid-params', field: 'node' } });
  });

  it('rejects malformed params JSON', async () => {
    const r = await nslab(fixture.stateDir, ['rpc', 'helper.hello', '{nope']);
    expect(r.code).not.toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'parse-error' } });
  });

  it('exec into a node that does not exist', async () => {
    const r = await nslab(fixture.stateDir, ['exec', 'no-such-node', '--', 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not-found/);
  });
});
