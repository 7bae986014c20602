// What a container's kernel objects and records are called: its cgroup, its veth's node end, its
// network namespace while it has a name, and its ledger object.
import { createHash } from 'node:crypto';
import type { LedgerObject } from '../../shared/contract/index.js';

export const containerCgroup = (name: string): string => `c-${name}`;
/** The veth end in the node's namespace: marked, within IFNAMSIZ, derived from the name. */
export const peerName = (name: string): string => `nslab-c${createHash('sha256').update(name).digest('hex').slice(0, 7)}`;
export const containerObject = (name: string, owner: string): LedgerObject => ({ kind: 'container', netns: null, name, owner });
/** A container's own named network namespace (a node's network, no user namespace). */
export const containerNetns = (name: string): string => `nslab-ctr-${name}`;

