// Where a firewall command runs: inside a namespace (`ip netns exec`), or the root namespace (`null`).

/** `null` reads the root namespace (never written). */
export type FwNetns = string | null;

export const inNetns = (netns: FwNetns, argv: string[]): string[] => (netns === null ? argv : ['ip', 'netns', 'exec', netns, ...argv]);
