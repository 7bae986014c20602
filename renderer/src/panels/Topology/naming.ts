import { IFNAME_MAX_BYTES } from '@shared/names';

/**
 * Default interface name for a node's end of a veth (`veth-red`), cut to IFNAMSIZ. A node already named
 * `veth-…` (the veth lab's `veth-red`) is not prefixed again: `veth-red`, never `veth-veth-red`.
 */
export function defaultIf(node: string): string {
  let name = /^veth[-_]/.test(node) ? node : `veth-${node}`;
  while (new TextEncoder().encode(name).length > IFNAME_MAX_BYTES) name = name.slice(0, -1);
  return name;
}
