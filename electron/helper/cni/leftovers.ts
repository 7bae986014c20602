// What the plugins leave behind on purpose. The bridge plugin never deletes its bridge, and portmap keeps
// its shared chains (CNI-HOSTPORT-DNAT/-MASQ/-SETMARK and their jumps) for the next container: a real
// runtime lives with that. nslab promises a clean kernel, so the runtime notes which links and chains an
// ADD brought into the host node, and removes them once the last attachment there is gone.
import { run } from '../exec/run.js';
import { ipJson } from '../net/ip.js';

export interface HostObjects {
  links: string[];
  /** `<iptables|ip6tables> <table> <chain>`: portmap and ipMasq write both families. */
  chains: string[];
}

const FAMILIES = ['iptables', 'ip6tables'] as const;
type Family = (typeof FAMILIES)[number];

const save = async (netns: string, family: Family): Promise<string> => (await run(['ip', 'netns', 'exec', netns, `${family}-save`])).stdout;

const SAVE_CHAIN = /^:(\S+) /;

function chainsOf(save: string): string[] {
  const chains: string[] = [];
  let table = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const m = SAVE_CHAIN.exec(line);
    if (m) chains.push(`${table} ${m[1]}`);
  }
  return chains;
}

const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

export async function hostObjects(netns: string): Promise<HostObjects> {
  const links = ((await ipJson(netns, ['link', 'show'])) as { ifname: string }[]).map((l) => l.ifname);
  const chains: string[] = [];
  for (const family of FAMILIES) chains.push(...chainsOf(await save(netns, family)).filter((c) => !BUILTIN.has(c.split(' ')[1]!)).map((c) => `${family} ${c}`));
  return { links, chains };
}

/** What `after` has that `before` had not: the links and chains this ADD made. */
export const madeBy = (before: HostObjects, after: HostObjects): HostObjects => ({
  links: after.links.filter((l) => !before.links.includes(l)),
  chains: after.chains.filter((c) => !before.chains.includes(c)),
});

/**
 * Deletes these links and chains if still there: first every rule that jumps to one of the chains, then
 * the chains (flushed), in one iptables-restore; then the links.
 */
export async function removeLeftovers(netns: string, made: HostObjects): Promise<void> {
  const now = await hostObjects(netns);
  for (const family of FAMILIES) {
    const chains = made.chains.filter((c) => now.chains.includes(c) && c.startsWith(`${family} `)).map((c) => c.slice(family.length + 1));
    if (chains.length) await dropChains(netns, family, chains);
  }
  const links = made.links.filter((l) => now.links.includes(l));
  for (const link of links) await run(['ip', '-n', netns, 'link', 'del', link], { change: true, allowFailure: true });
}

/** One `<family>-restore --noflush`: the jumps to these `table chain`s, then the chains flushed and deleted. */
async function dropChains(netns: string, family: Family, chains: string[]): Promise<void> {
  const byTable = new Map<string, string[]>();
  const add = (t: string, line: string): void => void byTable.set(t, [...(byTable.get(t) ?? []), line]);
  let table = '';
  for (const line of (await save(netns, family)).split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    if (!line.startsWith('-A ')) continue;
    const target = /(?:^| )-[jg] (\S+)/.exec(line)?.[1];
    if (target && chains.includes(`${table} ${target}`)) add(table, `-D ${line.slice(3)}`);
  }
  for (const c of chains) add(c.split(' ')[0]!, `-F ${c.split(' ')[1]!}`);
  for (const c of chains) add(c.split(' ')[0]!, `-X ${c.split(' ')[1]!}`);
  const input = [...byTable].map(([t, lines]) => [`*${t}`, ...lines, 'COMMIT'].join('\n')).join('\n') + '\n';
  const shell = [...byTable].flatMap(([t, lines]) => lines.map((l) => `ip netns exec ${netns} ${family} -t ${t} ${l}`));
  await run(['ip', 'netns', 'exec', netns, `${family}-restore`, '--noflush'], { input, change: true, shell });
}
