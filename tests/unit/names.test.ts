import { describe, expect, it } from 'vitest';
import { Cidr, IfName, NodeName, OwnNetnsName, RouteDestination, netnsOf, nodeOf } from '../../electron/shared/names.js';
import { shellLine, shellQuote } from '../../electron/shared/shell.js';

describe('names', () => {
  it.each(['red', 'blue-1', 'a_b', 'x.y', 'R2D2'])('accepts node %s', (n) => expect(NodeName.safeParse(n).success).toBe(true));
  it.each(['', '-x', '.x', 'a/b', 'a b', 'a\tb', 'a\u0000b', 'a\u007fb', 'n'.repeat(33), 'a;b', '$(x)', '빨강'])('rejects node %j', (n) =>
    expect(NodeName.safeParse(n).success).toBe(false),
  );
  it('counts interface names in bytes (IFNAMSIZ)', () => {
    expect(IfName.safeParse('a'.repeat(15)).success).toBe(true);
    expect(IfName.safeParse('a'.repeat(16)).success).toBe(false);
  });
  it('explains what is wrong', () => {
    const r = IfName.safeParse('-eth0');
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/must not start with '-'/);
  });
  it('requires the mark on namespaces nslab may change', () => {
    expect(OwnNetnsName.safeParse('nslab-red').success).toBe(true);
    expect(OwnNetnsName.safeParse('red').success).toBe(false);
    expect(OwnNetnsName.safeParse('nslab-').success).toBe(false);
    expect(nodeOf(netnsOf('red'))).toBe('red');
  });
});

describe('addresses', () => {
  it.each(['10.0.0.1/24', '0.0.0.0/0', '192.168.1.255/32', 'fd00::1/64', '::/0'])('accepts %s', (c) => expect(Cidr.safeParse(c).success).toBe(true));
  it.each(['10.0.0.1', '10.0.0.1/33', '256.0.0.1/24', '10.0.0/24', 'fd00::1/129', 'x/24', '10.0.0.1/24 dev lo', ''])('rejects %j', (c) =>
    expect(Cidr.safeParse(c).success).toBe(false),
  );
  it('routes take default or a prefix', () => {
    expect(RouteDestination.safeParse('default').success).toBe(true);
    expect(RouteDestination.safeParse('10.1.0.0/16').success).toBe(true);
    expect(RouteDestination.safeParse('anywhere').success).toBe(false);
  });
});

describe('shell rendering', () => {
  it('quotes only what needs it', () => {
    expect(shellLine(['ip', '-n', 'nslab-red', 'addr', 'add', '10.0.0.1/24', 'dev', 'eth0'])).toBe('ip -n nslab-red addr add 10.0.0.1/24 dev eth0');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b;rm')).toBe("'a b;rm'");
  });
});
