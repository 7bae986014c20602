// Sysctls of several namespaces written by ONE short process instead of one `ip netns exec NS sysctl` each.
//
// Why a process at all: a namespace's /proc/sys/net is the one of whoever opens it (the kernel resolves it
// through the opener's network namespace), and the helper cannot enter a namespace itself (Node has no
// setns). Why one: a spawn per namespace was most of a small build's time (`dockernet up` set sysctls in
// four namespaces). The program enters each namespace in turn with setns(2) — what `ip netns exec` does
// before it execs sysctl — and writes /proc/sys/… there. It is Perl with no modules at all (perl-base is
// Essential on Debian; loading even `Socket` or `Config` costs 10–30 ms, a bare start ~3 ms); the setns
// syscall number comes from the helper because `syscall.ph` is not in perl-base.
// Each namespace's assignments are reported as the `ip netns exec NS sysctl -q -w …` line a person would type.
import { shellLine } from '../../shared/shell.js';
import { hasProgram } from './on-path.js';
import { run } from './run.js';

/** One namespace's assignments: sysctl(8) keys (`net.ipv4.ip_forward`, or `/`-separated) and values. */
export interface NetnsSysctls {
  netns: string;
  pairs: [string, string][];
}

/** setns(2) by architecture (the kernel's syscall tables). */
export const SETNS_NR: Partial<Record<NodeJS.Architecture, number>> = { x64: 308, arm64: 268, riscv64: 268, loong64: 268, ia32: 346, arm: 375, ppc64: 350, s390x: 339 };
const CLONE_NEWNET = 0x40000000;

/** argv: SETNS_NR CLONE_NEWNET then, per namespace, NAME key=value… `--`. Stops at the first failure. */
export const NETNS_SYSCTL_PROGRAM = String.raw`my ($nr, $flag) = map { $_ + 0 } splice(@ARGV, 0, 2);    # numbers: syscall passes a string as a pointer
while (@ARGV) {
  my $ns = shift @ARGV;
  open(my $nsf, '<', "/run/netns/$ns") or die "Cannot open network namespace $ns: $!\n";
  syscall($nr, fileno($nsf), $flag) == 0 or die "setns to $ns failed: $!\n";
  close $nsf;
  while (@ARGV && $ARGV[0] ne '--') {
    my ($key, $value) = split /=/, shift(@ARGV), 2;
    my $path = $key;
    $path =~ tr{.}{/} unless $path =~ m{/};
    open(my $f, '>', "/proc/sys/$path") or die "sysctl: cannot stat /proc/sys/$path in $ns: $!\n";
    defined syswrite($f, $value) or die "sysctl: setting key \"$key\" in $ns: $!\n";
    close $f;
  }
  shift @ARGV;
}
`;


const sysctlLine = (s: NetnsSysctls): string[] => ['ip', 'netns', 'exec', s.netns, 'sysctl', '-q', '-w', ...s.pairs.map(([k, v]) => `${k}=${v}`)];

/** Writes every namespace's sysctls, one process for all; `sysctl` per namespace where perl or setns's number is missing. */
export async function writeNetnsSysctls(sets: NetnsSysctls[]): Promise<void> {
  const wanted = sets.filter((s) => s.pairs.length > 0);
  if (wanted.length === 0) return;
  const nr = SETNS_NR[process.arch];
  if (nr === undefined || !hasProgram('perl')) {
    await Promise.all(wanted.map((s) => run(sysctlLine(s), { change: true })));
    return;
  }
  const argv = ['perl', '-e', NETNS_SYSCTL_PROGRAM, String(nr), String(CLONE_NEWNET), ...wanted.flatMap((s) => [s.netns, ...s.pairs.map(([k, v]) => `${k}=${v}`), '--'])];
  await run(argv, { change: true, shell: wanted.map((s) => shellLine(sysctlLine(s))) });
}
