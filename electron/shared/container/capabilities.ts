// Linux capabilities by bit number (include/uapi/linux/capability.h, kernel 5.9+: 41 of them), Docker's
// default set for containers, and the names users may type (`NET_ADMIN`, `CAP_NET_ADMIN`, `net_admin`).
export const CAPABILITIES = [
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap',
  'linux_immutable', 'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw', 'ipc_lock', 'ipc_owner',
  'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace', 'sys_pacct', 'sys_admin', 'sys_boot', 'sys_nice',
  'sys_resource', 'sys_time', 'sys_tty_config', 'mknod', 'lease', 'audit_write', 'audit_control', 'setfcap',
  'mac_override', 'mac_admin', 'syslog', 'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf',
  'checkpoint_restore',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** What `docker run` keeps by default (moby `oci/caps/defaults.go`). */
export const DOCKER_DEFAULT_CAPS: readonly Capability[] = [
  'chown', 'dac_override', 'fsetid', 'fowner', 'mknod', 'net_raw', 'setgid', 'setuid', 'setfcap', 'setpcap',
  'net_bind_service', 'sys_chroot', 'kill', 'audit_write',
];

/** `NET_ADMIN`, `cap_net_admin` → `net_admin`; `ALL` → `all`; anything else → null. */
export function capabilityName(input: string): Capability | 'all' | null {
  const n = input.trim().toLowerCase().replace(/^cap_/, '');
  if (n === 'all') return 'all';
  return (CAPABILITIES as readonly string[]).includes(n) ? (n as Capability) : null;
}

/** A hexadecimal mask from /proc/PID/status (CapEff: 000001ffffffffff) → names, lowest bit first. */
export function decodeCapMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim() || '0'}`);
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) if ((mask >> BigInt(bit)) & 1n) names.push(CAPABILITIES[bit] ?? `cap_${bit}`);
  return names;
}

/** Docker's rule: start from the defaults (or from nothing after `ALL` in drop), drop, then add. */
export function resolveCapabilities(drop: readonly (Capability | 'all')[], add: readonly (Capability | 'all')[]): Capability[] {
  let set = new Set<Capability>(drop.includes('all') ? [] : DOCKER_DEFAULT_CAPS);
  for (const c of drop) if (c !== 'all') set.delete(c);
  if (add.includes('all')) set = new Set(CAPABILITIES);
  for (const c of add) if (c !== 'all') set.add(c);
  return CAPABILITIES.filter((c) => set.has(c));
}
