// Facts about this machine, each read from the kernel or a tool through exec/ or procfs.ts (cgroup mounts:
// cgroup/mounts.ts, which the cgroup backends are chosen from).
import { existsSync } from 'node:fs';
import { LINK_KINDS } from '../../shared/contract/index.js';
import { netnsOf } from '../../shared/names.js';
import { run } from '../exec/run.js';
import { readTrimmed } from '../procfs.js';
import { ipJson } from '../net/ip.js';


export const TOOLS: Record<string, string[]> = {
  ip: ['ip', '-V'],
  iptables: ['iptables', '-V'],
  nft: ['nft', '-v'],
  conntrack: ['conntrack', '-V'],
  unshare: ['unshare', '--version'],
  nsenter: ['nsenter', '--version'],
  busybox: ['busybox', '--help'],
  sysctl: ['sysctl', '--version'],
  // dockernet's docker-proxy (perl-base: Essential on Debian)
  perl: ['perl', '-e', 'print $^V'],
};

/** The first version-looking token a tool prints about itself, or null when it is missing. */
export async function toolVersion(argv: string[]): Promise<string | null> {
  try {
    const { stdout, stderr } = await run(argv, { allowFailure: true, timeoutMs: 5000 });
    const text = `${stdout}\n${stderr}`;
    return /v?(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1] ?? text.split('\n')[0]?.trim() ?? '';
  } catch {
    return null;
  }
}

export function unprivilegedUserns(): { ok: boolean; detail: string } {
  const max = readTrimmed('/proc/sys/user/max_user_namespaces');
  const clone = readTrimmed('/proc/sys/kernel/unprivileged_userns_clone');
  const apparmor = readTrimmed('/proc/sys/kernel/apparmor_restrict_unprivileged_userns');
  const ok = max !== null && max !== '0' && clone !== '0' && apparmor !== '1';
  return { ok, detail: `max_user_namespaces=${max ?? 'n/a'}${clone !== null ? `, unprivileged_userns_clone=${clone}` : ''}${apparmor !== null ? `, apparmor_restrict_unprivileged_userns=${apparmor}` : ''}` };
}

export const brNetfilter = (): { present: boolean; callIptables: string | null } => ({
  present: existsSync('/proc/sys/net/bridge'),
  callIptables: readTrimmed('/proc/sys/net/bridge/bridge-nf-call-iptables'),
});

export const kernelRelease = (): string => readTrimmed('/proc/sys/kernel/osrelease') ?? 'unknown';

/**
 * Which link kinds the kernel can make: tries each once in a throwaway namespace (recorded like anything
 * else nslab makes, and deleted straight away).
 */
export async function probeLinkKinds(withNamespace: (netns: string, body: () => Promise<void>) => Promise<void>): Promise<Record<string, boolean>> {
  const netns = netnsOf(`probe-${process.pid}`);
  const names: Record<(typeof LINK_KINDS)[number], string[]> = {
    bridge: ['link', 'add', 'p-bridge', 'type', 'bridge'],
    veth: ['link', 'add', 'p-veth', 'type', 'veth', 'peer', 'name', 'p-veth1'],
    dummy: ['link', 'add', 'p-dummy', 'type', 'dummy'],
    macvlan: ['link', 'add', 'p-macvlan', 'link', 'p-veth', 'type', 'macvlan', 'mode', 'bridge'],
    ipvlan: ['link', 'add', 'p-ipvlan', 'link', 'p-veth1', 'type', 'ipvlan', 'mode', 'l2'],
    vxlan: ['link', 'add', 'p-vxlan', 'type', 'vxlan', 'id', '42', 'dstport', '4789'],
  };
  const result: Record<string, boolean> = Object.fromEntries(LINK_KINDS.map((k) => [k, false]));
  await withNamespace(netns, async () => {
    await run(['ip', '-n', netns, '-force', '-batch', '-'], { allowFailure: true, input: Object.values(names).map((l) => l.join(' ')).join('\n') + '\n' });
    const present = new Set(((await ipJson(netns, ['link', 'show'])) as { ifname: string }[]).map((l) => l.ifname));
    for (const kind of LINK_KINDS) result[kind] = present.has(`p-${kind}`);
  });
  return result;
}

