// Hostile input over the real helper: for every method of the contract, ≥ 1,000 generated params (wrong
// types, boundary numbers, `-` `/` `..`, control characters, 16+ byte names, huge arrays, prototype keys)
// pipelined over one connection, plus malformed and oversized frames. The helper never dies, every answer is
// a result or a typed error with a known code, what the contract refuses is refused as `invalid-params`,
// and the kernel (namespaces, links, firewall, nslab cgroups) is exactly as before.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES, isNotificationMethod, methods, type MethodName } from '../../electron/shared/contract/index.js';
import { ERROR_CODES } from '../../electron/shared/errors.js';
import { MAX_MESSAGE_BYTES } from '../../electron/shared/rpc.js';
import { markedCgroups } from '../support/cgroup.js';
import { kernelState, nslab, tempStateDir } from '../support/cli.js';
import { startHelper, type HelperProcess } from '../support/helper.js';
import { hostileParams, hostileString, hostileValue, onTheWire } from '../support/hostile.js';
import { batchClient, type BatchClient, type Reply } from '../support/rpc-batch.js';

const PER_METHOD = 1000;
/** At most this many contract-valid calls of a read per method (lab.list parses every lab: 1,000 would be minutes). */
const VALID_READS = 50;
const SEED = Number(process.env.NSLAB_FUZZ_SEED ?? 17);
const KNOWN = new Set<string>(ERROR_CODES);

/**
 * Reads: sent even when the generated params pass the contract (a hostile-but-valid id must still be a clean
 * answer). Everything else gets only what the contract refuses, so a fuzz run never changes the kernel.
 */
const READS = new Set<string>([
  'helper.hello', 'helper.status', 'ledger.list', 'activity.list', 'net.netns.list', 'net.snapshot', 'topology.show', 'topology.list',
  'lab.list', 'lab.show', 'lab.progress', 'lab.hint', 'cgroup.show', 'cgroup.list', 'cgroup.layout', 'container.list', 'container.inspect',
  'fw.show', 'dockernet.show', 'pty.list', 'metrics.series', 'metrics.history', 'metrics.snapshot', 'metrics.config', 'process.inspect',
]);

const snapshot = (): string => `${kernelState()}\n---\n${markedCgroups().join('\n')}`;
const state = tempStateDir();
let helper: HelperProcess;
let client: BatchClient;
let before = '';

beforeAll(async () => {
  before = snapshot();
  helper = await startHelper(state.dir);
  client = batchClient(helper.child);
});

afterAll(async () => {
  await helper?.stop();
  await nslab(state.dir, ['gc']);
  state.cleanup();
  expect(snapshot()).toBe(before);
});

const alive = async (): Promise<void> => {
  expect(helper.child.exitCode, 'helper exited').toBeNull();
  expect(helper.child.signalCode, 'helper killed').toBeNull();
  const [hello] = await client.batch([{ method: 'helper.hello', params: {} }]);
  expect(hello?.result).toMatchObject({ pid: helper.child.pid });
};

const describeReply = (method: string, params: unknown, r: Reply): string => `${method} ${JSON.stringify(params)?.slice(0, 300)} → ${JSON.stringify(r).slice(0, 300)}`;

/** Frames answered outside a batch: each a result or a typed error with a known code. */
const expectAnswers = (replies: Reply[]): void => {
  for (const r of replies) {
    if ('result' in r) continue;
    expect(KNOWN.has(r.error?.data?.code ?? ''), JSON.stringify(r).slice(0, 200)).toBe(true);
  }
};

const requestMethods = METHOD_NAMES.filter((m) => !isNotificationMethod(m));
const notificationMethods = METHOD_NAMES.filter((m) => isNotificationMethod(m));

describe('every request method, 1,000 hostile params each', () => {
  it.each(requestMethods)('%s', async (method: MethodName) => {
    const schema = methods[method].params;
    const sent: { method: string; params: unknown; refused: boolean }[] = [];
    let valid = 0;
    let seed = SEED + method.length * 7919 + method.charCodeAt(0);
    while (sent.length < PER_METHOD && seed < SEED + 1e9) {
      for (const p of fc.sample(hostileParams(schema), { numRuns: 500, seed: seed++ })) {
        const wire = onTheWire(p);
        const refused = !schema.safeParse(wire ?? {}).success;
        if (!refused && (!READS.has(method) || ++valid > VALID_READS)) continue;
        sent.push({ method, params: wire, refused });
        if (sent.length >= PER_METHOD) break;
      }
      if (seed > SEED + 1e9 - 1) break;
    }
    expect(sent.length).toBeGreaterThanOrEqual(PER_METHOD);
    const replies = await client.batch(sent.map((s) => ({ method: s.method, params: s.params })), 200);
    replies.forEach((r, i) => {
      const s = sent[i]!;
      if (s.refused) {
        expect(r.error?.data?.code, describeReply(method, s.params, r)).toBe('invalid-params');
        expect(typeof r.error?.message).toBe('string');
      } else if (r.error) expect(KNOWN.has(r.error.data?.code ?? ''), describeReply(method, s.params, r)).toBe(true);
      else expect(r, describeReply(method, s.params, r)).toHaveProperty('result');
    });
    await alive();
  }, 120_000);

  it('0 objects created by the refused requests', () => expect(snapshot()).toBe(before));
});

describe('notifications with hostile params', () => {
  it.each(notificationMethods)('%s: 1,000 of them, no answer and no crash', async (method) => {
    const count = client.orphans.length;
    for (const p of fc.sample(hostileParams(methods[method].params), { numRuns: PER_METHOD, seed: SEED })) {
      client.sendRaw(JSON.stringify({ jsonrpc: '2.0', method, params: onTheWire(p) }) + '\n');
    }
    await alive();
    expect(client.orphans.slice(count)).toEqual([]);
  });

  it.each(notificationMethods)('%s sent as a request is refused', async (method) => {
    const [r] = await client.batch([{ method, params: {} }]);
    expect(KNOWN.has(r?.error?.data?.code ?? '')).toBe(true);
  });
});

/** A generated envelope that would be a valid call of a method that changes things is not sent. */
const harmless = (v: Record<string, unknown>): boolean => {
  const wire = onTheWire(v) as Record<string, unknown>;
  if (typeof wire.method !== 'string' || !Object.prototype.hasOwnProperty.call(methods, wire.method) || READS.has(wire.method)) return true;
  return !methods[wire.method as MethodName].params.safeParse(wire.params ?? {}).success;
};

describe('malformed and oversized frames', () => {
  const frames: [string, string][] = [
    ['truncated JSON', '{"jsonrpc":"2.0","id":1,"method":'],
    ['not JSON', 'hello helper'],
    ['a bare number', '42'],
    ['null', 'null'],
    ['an empty batch', '[]'],
    ['a JSON-RPC batch', '[{"jsonrpc":"2.0","id":1,"method":"helper.hello"}]'],
    ['wrong version', '{"jsonrpc":"1.0","id":1,"method":"helper.hello"}'],
    ['no version', '{"id":1,"method":"helper.hello"}'],
    ['method not a string', '{"jsonrpc":"2.0","id":1,"method":42}'],
    ['object id', '{"jsonrpc":"2.0","id":{"a":1},"method":"helper.hello"}'],
    ['fractional id', '{"jsonrpc":"2.0","id":1.5,"method":"helper.hello"}'],
    ['huge string id', `{"jsonrpc":"2.0","id":"${'i'.repeat(10_000)}","method":"helper.hello"}`],
    ['huge method name', `{"jsonrpc":"2.0","id":1,"method":"${'m'.repeat(100_000)}"}`],
    ['prototype method', '{"jsonrpc":"2.0","id":1,"method":"__proto__"}'],
    ['constructor method', '{"jsonrpc":"2.0","id":1,"method":"constructor"}'],
    ['toString method', '{"jsonrpc":"2.0","id":1,"method":"toString"}'],
    ['prototype envelope', '{"jsonrpc":"2.0","id":1,"method":"helper.hello","__proto__":{"params":{"x":1}}}'],
    ['deep nesting', `{"jsonrpc":"2.0","id":1,"method":"helper.hello","params":${'['.repeat(100_000)}${']'.repeat(100_000)}}`],
    ['NUL bytes', '\u0000\u0000\u0000'],
    ['lone surrogate', '{"jsonrpc":"2.0","id":1,"method":"\\ud800"}'],
    ['CRLF line', '{"jsonrpc":"2.0","id":1,"method":"helper.hello"}\r'],
    ['duplicate keys', '{"jsonrpc":"2.0","id":1,"method":"helper.hello","method":"ledger.list"}'],
  ];

  it.each(frames)('%s: the helper answers or ignores it and keeps serving', async (_what, frame) => {
    client.sendRaw(frame + '\n');
    await alive();
    expectAnswers(client.orphans);
  });

  it('invalid UTF-8 bytes', async () => {
    client.sendRaw(Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0x0a]));
    await alive();
  });

  it('an oversized frame, then one arriving in 1-byte pieces', async () => {
    client.sendRaw(`{"jsonrpc":"2.0","id":"big","method":"helper.hello","params":{"pad":"${'x'.repeat(MAX_MESSAGE_BYTES + 10)}"}}\n`);
    client.sendRaw('x'.repeat(MAX_MESSAGE_BYTES * 3) + '\n'); // and one with no structure at all
    await alive();
    const line = JSON.stringify({ jsonrpc: '2.0', id: 'slow', method: 'helper.hello', params: {} }) + '\n';
    const answered = new Promise<void>((resolve) => {
      const onData = (d: Buffer): void => void (d.toString().includes('"slow"') && (helper.child.stdout.off('data', onData), resolve()));
      helper.child.stdout.on('data', onData);
    });
    for (const ch of line) client.sendRaw(ch);
    await answered;
    await alive();
  });

  it('1,000 random frames', async () => {
    const frame = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }).map((s) => s.replace(/\n/g, ' ')),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.record({ jsonrpc: fc.oneof(fc.constant('2.0'), hostileValue), id: fc.oneof(fc.integer(), hostileString, hostileValue), method: fc.oneof(fc.constantFrom(...METHOD_NAMES), hostileString, hostileValue), params: hostileValue }, { requiredKeys: [] })
        .filter(harmless)
        .map((v) => JSON.stringify(v)),
    );
    for (const f of fc.sample(frame, { numRuns: 1000, seed: SEED })) client.sendRaw(f.replace(/\n/g, ' ') + '\n');
    await alive();
    expectAnswers(client.orphans);
    expect(snapshot()).toBe(before);
  });
});
