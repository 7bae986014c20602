// The CNI runtime's pure parts: where bad JSON is, what a conflist may say, how plugin configs are
// derived and chained (prevResult, runtimeConfig), how a plugin's error object becomes a typed error.
import { describe, expect, it } from 'vitest';
import { CniResult } from '../../electron/shared/contract/index.js';
import { methods } from '../../electron/shared/contract/index.js';
import { jsonErrorAt } from '../../electron/helper/cni/json-where.js';
import { ipamDirOf, pluginTypesOf, readConfList } from '../../electron/helper/cni/conflist.js';
import { cniError } from '../../electron/helper/cni/invoke.js';
import { pluginConfig, validResult, type ListRun } from '../../electron/helper/cni/runner.js';
import { NslabError } from '../../electron/shared/errors.js';
import { diffLines } from '../../electron/helper/cni/diff.js';

const STATE = '/var/lib/nslab-test';
const LIST = JSON.stringify({
  cniVersion: '1.0.0',
  name: 'labnet',
  plugins: [
    { type: 'bridge', bridge: 'cni0', isGateway: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.22.0.0/24' }]] } },
    { type: 'portmap', capabilities: { portMappings: true } },
  ],
});
// Captured from /usr/lib/cni/bridge (containernetworking-plugins 1.1.1) in an nslab namespace.
const BRIDGE_RESULT = {
  cniVersion: '1.0.0',
  interfaces: [{ name: 'cni0', mac: '46:68:ec:cf:d0:2e' }, { name: 'veth75c0f338', mac: '82:b5:7f:ae:42:a7' }, { name: 'eth0', mac: 'da:b8:b3:07:65:41', sandbox: '/run/netns/nslab-cnitry-c' }],
  ips: [{ interface: 2, address: '10.22.0.2/24', gateway: '10.22.0.1' }],
  routes: [{ dst: '0.0.0.0/0' }],
  dns: {},
};

function caught(fn: () => unknown): NslabError {
  try {
    fn();
  } catch (err) {
    return err as NslabError;
  }
  throw new Error('did not throw');
}

describe('jsonErrorAt', () => {
  it('finds a trailing comma by line and column', () => {
    expect(jsonErrorAt('{\n  "a": 1,\n}')).toMatchObject({ line: 3, column: 1 });
  });
  it('finds a missing colon and an unclosed string', () => {
    expect(jsonErrorAt('{"a" 1}')).toMatchObject({ line: 1, column: 6, expected: "':' after a key" });
    expect(jsonErrorAt('{"a": "b')?.expected).toMatch(/closing "/);
  });
  it('says nothing of valid JSON', () => {
    expect(jsonErrorAt(LIST)).toBeNull();
    expect(jsonErrorAt(' [1, -2.5e3, true, null, "x\\u00e9"] ')).toBeNull();
  });
});

describe('readConfList', () => {
  it('says where the text stops being JSON', () => {
    const e = caught(() => readConfList('{\n "cniVersion": "1.0.0",\n "name": "x"\n "plugins": []}', STATE));
    expect(e.code).toBe('invalid-params');
    expect(e.message).toMatch(/^config is not valid JSON: line 4, column 2/);
    expect(e.data).toMatchObject({ field: 'config', line: 4, column: 2 });
  });
  it('names the wrong field', () => {
    const e = caught(() => readConfList(JSON.stringify({ cniVersion: '1.0.0', name: 'x', plugins: [{ type: '../../bin/sh' }] }), STATE));
    expect(e.field).toBe('config.plugins.0.type');
    expect(caught(() => readConfList(JSON.stringify({ cniVersion: '0.4.0', name: 'x', plugins: [{ type: 'bridge' }] }), STATE)).field).toBe('config.cniVersion');
    expect(caught(() => readConfList(JSON.stringify({ cniVersion: '1.0.0', name: 'x', plugins: [] }), STATE)).field).toBe('config.plugins');
  });
  it("keeps host-local's leases under nslab's state directory", () => {
    const list = readConfList(LIST, STATE);
    expect(list.plugins[0]!.ipam).toMatchObject({ type: 'host-local', dataDir: ipamDirOf(STATE) });
    const e = caught(() => readConfList(JSON.stringify({ cniVersion: '1.0.0', name: 'x', plugins: [{ type: 'bridge', ipam: { type: 'host-local', dataDir: '/var/lib/cni/networks' } }] }), STATE));
    expect(e.field).toBe('config.plugins.0.ipam.dataDir');
  });
  it('takes a single network config as a list of one', () => {
    const list = readConfList(JSON.stringify({ cniVersion: '1.0.0', name: 'one', type: 'loopback' }), STATE);
    expect(list.plugins).toEqual([{ type: 'loopback' }]);
    expect(pluginTypesOf(readConfList(LIST, STATE))).toEqual(['bridge', 'host-local', 'portmap']);
  });
});

describe('plugin configs', () => {
  const run: ListRun = {
    list: readConfList(LIST, STATE),
    containerId: 'c1',
    netnsPath: '/run/netns/nslab-c1',
    ifname: 'eth0',
    args: {},
    portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    cniPath: ['/usr/lib/cni'],
    hostNetns: 'nslab-h',
    paths: new Map(),
  };
  it('injects name and cniVersion, runtimeConfig only for declared capabilities, and prevResult', () => {
    const first = pluginConfig(run, run.list.plugins[0]!, null);
    expect(first).toMatchObject({ type: 'bridge', name: 'labnet', cniVersion: '1.0.0' });
    expect(first).not.toHaveProperty('prevResult');
    expect(first).not.toHaveProperty('runtimeConfig');
    const prev = validResult('bridge', BRIDGE_RESULT);
    const second = pluginConfig(run, run.list.plugins[1]!, prev);
    expect(second).toMatchObject({ type: 'portmap', prevResult: BRIDGE_RESULT, runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] } });
  });
  it('refuses a result that is not CNI 1.x, saying where', () => {
    expect(() => validResult('bridge', { ...BRIDGE_RESULT, cniVersion: '0.4.0' })).toThrow(/result\.cniVersion/);
    expect(() => validResult('bridge', { ...BRIDGE_RESULT, ips: [{ address: '10.22.0.2/24', interface: 7 }] })).toThrow(/interfaces\[\]/);
    expect(CniResult.safeParse(BRIDGE_RESULT).success).toBe(true);
  });
});

describe('cniError', () => {
  it('maps the spec codes to typed errors', () => {
    const e = cniError('bridge', 'ADD', JSON.stringify({ cniVersion: '1.0.0', code: 1, msg: 'incompatible CNI versions', details: 'config is "1.1.0", plugin supports ["1.0.0"]' }), '', 1);
    expect(e.code).toBe('invalid-params');
    expect(e.message).toMatch(/CNI error 1, incompatible CNI version/);
    expect(e.data).toMatchObject({ plugin: 'bridge', cniCode: 1 });
    expect(cniError('x', 'DEL', JSON.stringify({ code: 3, msg: 'gone' }), '', 1).code).toBe('not-found');
    expect(cniError('x', 'ADD', JSON.stringify({ code: 11, msg: 'later' }), '', 1).code).toBe('busy');
    expect(cniError('x', 'ADD', JSON.stringify({ code: 999, msg: 'own' }), '', 1).message).toMatch(/plugin-specific/);
  });
  it("falls back to stderr, and names portmap's CHECK bug", () => {
    expect(cniError('x', 'ADD', 'not json', 'panic: boom\n', 2).message).toBe('x ADD failed: panic: boom');
    const e = cniError('portmap', 'CHECK', JSON.stringify({ code: 999, msg: 'could not check ipv6 dnat: chain CNI-DN-1 not found' }), '', 1);
    expect(e.message).toMatch(/containernetworking\/plugins#819/);
  });
});

describe('contract', () => {
  it('keeps cni.add off the renderer: it runs programs from directories the caller names', () => {
    expect(methods['cni.add'].renderer).toBe(false);
    expect(methods['cni.plugins'].renderer).toBe(false);
    expect(methods['cni.add'].params.safeParse({ config: '{}', node: 'a', host: 'b', pluginDirs: ['/tmp/../bin'] }).success).toBe(false);
  });
});

describe('diffLines', () => {
  const side = (over: Partial<Parameters<typeof diffLines>[0]> = {}) => ({ bridges: [], veths: [], addresses: [], routes: [], forward: '0', nat: [], filter: [], ...over });
  it('builds each sentence from what was observed', () => {
    const cni = side({ bridges: ['cni0 10.22.0.1/24'], addresses: ['eth0 10.22.0.2/24'], routes: ['default via 10.22.0.1 dev eth0'], forward: '1' });
    const docker = side({ bridges: ['docker0 172.17.0.1/16'], addresses: ['eth0 172.17.0.2/16'], routes: ['default via 172.17.0.1 dev eth0'], forward: '1', nat: ['-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE', '-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80'] });
    const lines = Object.fromEntries(diffLines(cni, docker).map((l) => [l.topic, l]));
    expect(lines.bridge!.words).toMatch(/made cni0 .* makes docker0/);
    expect(lines.address!.words).toMatch(/host-local handed out 10\.22\.0\.2\/24 .* IPAM gave 172\.17\.0\.2\/16/);
    expect(lines.publish!.words).toMatch(/^portmap made no DNAT rules: .* Docker has 1 DNAT rule/);
    expect(lines.nat!.docker).toEqual(['-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE']);
    expect(lines.route!.words).toMatch(/^Both give/);
    expect(diffLines(side(), docker).find((l) => l.topic === 'route')!.words).toMatch(/^Only Docker installed a default route/);
  });
});
