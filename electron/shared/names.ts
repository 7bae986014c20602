// Validators for every name and address that reaches the kernel. They run in the renderer (instant
// feedback) and again in the helper (the boundary that counts).
import { z } from 'zod';

/** The mark every kernel object nslab creates carries. */
export const MARK = 'nslab-';
/** Kernel IFNAMSIZ minus the trailing NUL. */
export const IFNAME_MAX_BYTES = 15;

const byteLength = (s: string): number => new TextEncoder().encode(s).length;

// Letters, digits, `_`, `.`, `-`, never starting with `-` or `.`: nothing a shell, a path or `ip`'s own
// option parser could misread.
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function safeName(what: string, maxBytes: number) {
  return z
    .string({ error: `${what} must be a string` })
    .min(1, { error: `${what} must not be empty` })
    .refine((s) => byteLength(s) <= maxBytes, { error: `${what} must be at most ${maxBytes} bytes` })
    .refine((s) => !/[\s/]/.test(s) && !/\p{Cc}/u.test(s), {
      error: `${what} must not contain '/', spaces or control characters`,
    })
    .refine((s) => !s.startsWith('-'), { error: `${what} must not start with '-'` })
    .refine((s) => SAFE_NAME.test(s), {
      error: `${what} may contain only letters, digits, '_', '.' and '-' and must start with a letter, digit or '_'`,
    });
}

/** A topology node; it lives in netns `nslab-<node>`. */
export const NodeName = safeName('node name', 32);
/** A network interface name (IFNAMSIZ). */
export const IfName = safeName('interface name', IFNAME_MAX_BYTES);
/** A topology name. */
export const TopologyName = safeName('topology name', 48);
/** A network namespace as the kernel knows it (`nslab-red`), or a foreign one we only read. */
export const NetnsName = safeName('namespace name', 64);
/** A namespace nslab may change: it carries the mark. */
export const OwnNetnsName = NetnsName.refine((s) => s.startsWith(MARK) && s.length > MARK.length, {
  error: `namespace name must start with '${MARK}'`,
});

export const Ipv4Cidr = z.cidrv4({ error: 'expected an IPv4 address with prefix, e.g. 10.0.0.1/24' });
export const Ipv6Cidr = z.cidrv6({ error: 'expected an IPv6 address with prefix, e.g. fd00::1/64' });
export const Cidr = z.union([Ipv4Cidr, Ipv6Cidr], {
  error: 'expected an IPv4 or IPv6 address with prefix length, e.g. 10.0.0.1/24 or fd00::1/64',
});
export const IpAddress = z.union([z.ipv4(), z.ipv6()], { error: 'expected an IPv4 or IPv6 address' });
/** A route destination: `default` or a prefix. */
export const RouteDestination = z.union([z.literal('default'), Cidr], {
  error: "expected 'default' or a prefix such as 10.1.0.0/16",
});
export const Mtu = z.number().int().min(68).max(65535);

export const netnsOf = (node: string): string => `${MARK}${node}`;
export const nodeOf = (netns: string): string => (netns.startsWith(MARK) ? netns.slice(MARK.length) : netns);
export const isMarked = (name: string): boolean => name.startsWith(MARK);
export const isIpv6 = (cidrOrIp: string): boolean => cidrOrIp.includes(':');
