import { describe, expect, it } from 'vitest';
import { METHOD_NAMES, RENDERER_METHODS, events, methods, isMethodName } from '../../electron/shared/contract/index.js';
import { ERROR_CODES, NslabError, RPC_NUMERIC_CODE } from '../../electron/shared/errors.js';
import { errorToRpc, rpcToError, RpcResponse } from '../../electron/shared/rpc.js';

describe('contract', () => {
  it('gives every method a params and result schema and a summary', () => {
    expect(METHOD_NAMES.length).toBeGreaterThan(15);
    for (const name of METHOD_NAMES) {
      const spec = methods[name];
      expect(typeof spec.params.safeParse, name).toBe('function');
      expect(typeof spec.result.safeParse, name).toBe('function');
      expect(spec.summary.length, name).toBeGreaterThan(5);
    }
  });
  it('derives the renderer allowlist from the table', () => {
    for (const m of RENDERER_METHODS) expect(methods[m].renderer).toBe(true);
    expect(isMethodName('toString')).toBe(false);
    expect(isMethodName('__proto__')).toBe(false);
    expect(isMethodName('net.netns.create')).toBe(true);
  });
  it('round-trips params through JSON', () => {
    const params = { node: 'red', name: 'veth-red', kind: 'veth', peer: { node: 'blue', name: 'veth-blue' } };
    const parsed = methods['net.link.create'].params.parse(JSON.parse(JSON.stringify(params)));
    expect(parsed).toEqual({ ...params, up: true });
  });
  it('applies defaults and refuses unknown fields', () => {
    expect(methods['ledger.gc'].params.parse({})).toEqual({ dryRun: false, adopt: false });
    expect(methods['ledger.gc'].params.safeParse({ dryRun: false, force: true }).success).toBe(false);
  });
  it('validates event payloads', () => {
    const activity = { at: new Date().toISOString(), argv: ['ip', 'netns', 'add', 'nslab-red'], shell: ['ip netns add nslab-red'], ok: true, ms: 3 };
    expect(events.activity.parse(JSON.parse(JSON.stringify(activity)))).toEqual(activity);
  });
});

describe('errors', () => {
  it('has a distinct JSON-RPC number per code', () => {
    const numbers = ERROR_CODES.map((c) => RPC_NUMERIC_CODE[c]);
    expect(new Set(numbers).size).toBe(ERROR_CODES.length);
  });
  it('round-trips a typed error through the wire', () => {
    const err = new NslabError('exists', 'namespace nslab-red already exists', { field: 'node', netns: 'nslab-red' });
    const wire = JSON.parse(JSON.stringify({ jsonrpc: '2.0', id: 1, error: errorToRpc(err) }));
    expect(RpcResponse.safeParse(wire).success).toBe(true);
    const back = rpcToError(wire.error);
    expect(back).toBeInstanceOf(NslabError);
    expect(back.code).toBe('exists');
    expect(back.field).toBe('node');
    expect(back.data.netns).toBe('nslab-red');
    expect(back.toJSON()).toEqual({ code: 'exists', message: 'namespace nslab-red already exists', field: 'node', netns: 'nslab-red' });
  });
  it('maps an unknown code to internal', () => {
    expect(rpcToError({ code: -1, message: 'x', data: { code: 'weird' as never } }).code).toBe('internal');
  });
});
