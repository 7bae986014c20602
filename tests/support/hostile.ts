// fast-check arbitraries for hostile input: strings a shell, a path or `ip` could misread, boundary numbers,
// control characters, over-long interface names, huge arrays and prototype keys, aimed at the fields a
// contract method really has (so the values reach the validators, not only the unknown-key check).
import fc from 'fast-check';
import type { z } from 'zod';

const HOSTILE_STRINGS = [
  '', ' ', '-', '--', '-rf', '--help', '/', '//', '.', '..', '../..', '../../etc/passwd', '/etc/shadow', 'a/b', 'a b',
  '\u0000', 'a\u0000b', '\n', 'a\nb', '\r\n', '\t', '\u001b[2J', '\u007f', '\u0085', '\u2028', '\uFEFF', '\uD800', '\uFFFF',
  'a;reboot', '$(id)', '`id`', '|id', '&&id', '%s%n', "'", '"', '\\', '*', '?', '~', '{}', '[]',
  'abcdefghijklmnop', 'abcdefghijklmno', 'x'.repeat(16), 'x'.repeat(33), 'x'.repeat(65), 'x'.repeat(4096), '가나다라마바', '가'.repeat(6),
  'nslab-', 'nslab-..', 'nslab-/x', 'nslab-a b', 'lo', 'eth0', 'default', 'all', 'init', 'host', 'self', '1', '-1', '0x10',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  '10.0.0.1/33', '300.1.1.1/24', '::/129', '10.0.0.1/24; reboot', '0.0.0.0/0', '127.0.0.1', 'fd00::1/64',
];

const NUMBERS = [0, -0, 1, -1, 2, 15, 16, 255, 256, 1023, 65535, 65536, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 53, -(2 ** 53), 2 ** 63, 1e308, -1e308, 0.5, 1e-308, Number.MAX_VALUE];

const controlChars = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 8 });

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 6 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom(...HOSTILE_STRINGS), controlChars, fc.string({ maxLength: 8 })).map((p) => p.join('')), weight: 2 },
  { arbitrary: fc.string({ minLength: 16, maxLength: 300 }), weight: 1 },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(...NUMBERS), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));

/** An object whose own keys are the ones that poison prototypes when merged naively. */
export const prototypeKeys: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.constantFrom('{"polluted":true}', '{"prototype":{"polluted":true}}', 'null', '1', '"x"', '[]'))
  .map(([k, v]) => JSON.parse(`{"${k}":${v}}`) as unknown);

const scalar: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: scalar, weight: 10 },
  { arbitrary: fc.array(scalar, { maxLength: 4 }), weight: 2 },
  { arbitrary: fc.array(fc.constantFrom('x', 1, null, 'nslab-x'), { minLength: 2000, maxLength: 6000 }), weight: 1 },
  { arbitrary: prototypeKeys, weight: 1 },
  { arbitrary: fc.dictionary(hostileString, scalar, { maxKeys: 4 }), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
);

type Def = { type: string; shape?: Record<string, z.ZodType>; in?: z.ZodType; innerType?: z.ZodType; options?: z.ZodType[]; left?: z.ZodType; right?: z.ZodType };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The top-level keys a params schema knows, through pipes, optionals, unions and intersections. */
export function paramKeys(schema: z.ZodType): Map<string, z.ZodType> {
  const out = new Map<string, z.ZodType>();
  const walk = (s: z.ZodType | undefined, depth: number): void => {
    if (!s || depth > 8) return;
    const def = defOf(s);
    if (def.shape) for (const [k, v] of Object.entries(def.shape)) if (!out.has(k)) out.set(k, v);
    walk(def.in, depth + 1);
    walk(def.innerType, depth + 1);
    walk(def.left, depth + 1);
    walk(def.right, depth + 1);
    def.options?.forEach((o) => walk(o, depth + 1));
  };
  walk(schema, 0);
  return out;
}

/** Params for one method: its own keys with hostile values (any subset), plus stray keys and non-objects. */
export function hostileParams(schema: z.ZodType): fc.Arbitrary<unknown> {
  const keys = [...paramKeys(schema).keys()];
  const own = keys.length
    ? fc.record(Object.fromEntries(keys.map((k) => [k, hostileValue])), { requiredKeys: [] })
    : fc.constant({} as Record<string, unknown>);
  return fc.oneof(
    { arbitrary: own, weight: 8 },
    { arbitrary: fc.tuple(own, fc.constantFrom('__proto__', 'constructor', 'sudo', 'x'), hostileValue).map(([o, k, v]) => ({ ...JSON.parse(JSON.stringify({ ...o })), ...JSON.parse(`{${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}}`) })), weight: 2 },
    { arbitrary: prototypeKeys, weight: 1 },
    { arbitrary: scalar, weight: 1 },
    { arbitrary: fc.array(hostileValue, { maxLength: 3 }), weight: 1 },
  );
}

/** What the helper receives after the JSON round trip (undefined dropped, -0 → 0, NaN → null). */
export const onTheWire = (v: unknown): unknown => {
  const text = JSON.stringify(v);
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
};
