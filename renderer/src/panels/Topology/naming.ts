import { IFNAME_MAX_BYTES } from '@shared/names';

/** Default interface name for a node's end of a veth (`veth-red`), cut to IFNAMSIZ. */
export function defaultIf(node: string): string {
  let name = `veth-${node}`;
  while (new TextEncoder().encode(name).length > IFNAME_MAX_BYTES) name = name.slice(0, -1);
  return name;
}
