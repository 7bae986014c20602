// The programs the shipped labs use — in the commands they show a learner, the workloads they run and the
// probes that check them — so doctor can say which are missing, which lab needs them and which package
// brings them. Read from the lab files, not kept by hand.
import type { LabSpec } from '../../shared/labs/index.js';

export { onPath } from '../exec/on-path.js';

/** Programs labs may use and the Debian package that provides each. Words not listed here are not checked. */
export const PROGRAM_PACKAGES: Record<string, string> = {
  ping: 'iputils-ping',
  tcpdump: 'tcpdump',
  'stress-ng': 'stress-ng',
  traceroute: 'traceroute',
  chrt: 'util-linux',
  bridge: 'iproute2',
  'iptables-save': 'iptables',
  conntrack: 'conntrack',
  busybox: 'busybox-static',
  nc: 'netcat-openbsd',
  curl: 'curl',
};

/** What each probe kind runs itself (see labs/probes.ts). */
const PROBE_PROGRAMS: Record<string, string[]> = { ping: ['ping'], tcp: ['busybox'], udp: ['busybox'], http: ['curl'] };

const wordsOf = (text: string): string[] => text.split(/[\s"'`,;|&()[\]{}=]+/).filter(Boolean);

/** program → the ids of the labs that use it, for every known program the labs mention. */
export function labPrograms(labs: readonly LabSpec[]): Map<string, string[]> {
  const users = new Map<string, string[]>();
  const use = (program: string, lab: string): void => {
    if (!(program in PROGRAM_PACKAGES)) return;
    const list = users.get(program) ?? [];
    if (!list.includes(lab)) users.set(program, [...list, lab]);
  };
  for (const lab of labs) {
    const actions = [...lab.setup, ...lab.steps.flatMap((s) => s.solve)];
    for (const word of [...lab.steps.flatMap((s) => s.commands.flatMap((c) => wordsOf(c.cmd))), ...wordsOf(JSON.stringify(actions))]) use(word, lab.id);
    for (const probe of lab.steps.flatMap((s) => s.check)) for (const p of PROBE_PROGRAMS[probe.probe] ?? []) use(p, lab.id);
  }
  return new Map([...users].sort(([a], [b]) => a.localeCompare(b)));
}

