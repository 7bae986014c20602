// IPv4 arithmetic the diagnoser needs: subnets, membership, private ranges. Pure.

export const ipToInt = (ip: string): number => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
export const intToIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** `10.0.0.1/24` → its address and prefix length; a bare address is a /32. */
export function splitCidr(cidr: string): { ip: string; prefix: number } {
  const [ip, p] = cidr.split('/');
  return { ip: ip!, prefix: p === undefined ? 32 : Number(p) };
}

/** The network of a cidr, e.g. 10.0.0.0/24. */
export function networkOf(cidr: string): string {
  const { ip, prefix } = splitCidr(cidr);
  const size = 2 ** (32 - prefix);
  return `${intToIp(Math.floor(ipToInt(ip) / size) * size)}/${prefix}`;
}

export function inSubnet(ip: string, cidr: string): boolean {
  const { ip: net, prefix } = splitCidr(cidr);
  const size = 2 ** (32 - prefix);
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(net) / size);
}

/** RFC 1918, CGNAT and loopback: addresses the internet does not route back to. */
export function isPrivate(ip: string): boolean {
  return ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8'].some((c) => inSubnet(ip, c));
}

export const isIpv4 = (s: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(s);
