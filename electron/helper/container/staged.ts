// The container-side build steps in one staged process, so the mounts, hostname, links, pivot_root and
// old-root unmount cost one spawn instead of one each. Every step keeps the single `nsenter -t PID1 … --
// CMD` it stands for: that is what the activity log shows and the script runs. Two sequencers:
// - a Perl program (perl-base is Essential on Debian; no modules: a bare start is ~3 ms) that joins PID 1's
//   namespaces with setns(2) and makes each step's system calls itself — mount(2), sethostname(2),
//   pivot_root(2), umount2(2) — forking only for a program (`ip -batch`): one exec in all. Where this
//   architecture's syscall numbers are known and the container has no user namespace (whose locked mount
//   flags a bind remount would have to carry, as mount(8) does);
// - elsewhere, `nsenter` running GNU find — `find START -maxdepth 0 -exec A… ; -exec B… ;` visits START
//   once and runs each -exec in order (argv arrays, no shell), stopping at the first that fails.
import { NslabError } from '../../shared/errors.js';
import { SETNS_NR } from '../exec/netns-sysctl.js';
import type { FstabEntry } from './fstab.js';

export interface StagedStep {
  /** What runs inside the find sequencer. */
  argv: string[];
  /** The Perl sequencer's words for it (see stagedOps). */
  ops: string[];
  /** The single commands it stands for, each with the namespaces its own `nsenter` would join. */
  stands: { flags: string[]; argv: string[] }[];
}

/** mount(2)'s flags: the same on every Linux architecture. */
const MS = { ro: 1, nosuid: 2, nodev: 4, noexec: 8, remount: 32, bind: 4096 } as const;

/** The Perl sequencer's words: `m SOURCE TARGET TYPE FLAGS DATA` per mount(2) (a read-only bind is two). */
export function mountOps(e: FstabEntry): string[] {
  const words = e.options.split(',');
  const flags = words.reduce((f, w) => f | (w === 'ro' || w === 'nosuid' || w === 'nodev' || w === 'noexec' ? MS[w] : 0), 0);
  const data = words.filter((w) => !['ro', 'rw', 'nosuid', 'nodev', 'noexec', 'bind'].includes(w)).join(',');
  if (!words.includes('bind')) return ['m', e.source, e.target, e.type, String(flags), data];
  // a bind takes its flags from a remount of it, as mount(8) does
  return ['m', e.source, e.target, 'none', String(MS.bind), '', ...(flags ? ['m', 'none', e.target, 'none', String(MS.remount | MS.bind | flags), ''] : [])];
}
export const hostnameOps = (name: string): string[] => ['h', name];
export const programOps = (argv: readonly string[]): string[] => ['x', String(argv.length), ...argv];
export const pivotRootOps = (newRoot: string, putOld: string): string[] => ['p', newRoot, putOld];
/** umount2(TARGET, MNT_DETACH): `umount -l`. */
export const detachOps = (target: string): string[] => ['u', target, '2'];

/** Printed after the last step only: a step that failed stops the chain before it. */
export const STAGED_DONE = 'nslab-staged-done';

/** mount, umount2, pivot_root, sethostname by architecture (the kernel's syscall tables); setns is SETNS_NR's. */
const MOUNT_NRS: Partial<Record<NodeJS.Architecture, [number, number, number, number]>> = {
  x64: [165, 166, 155, 170],
  // the generic table (include/uapi/asm-generic/unistd.h)
  arm64: [40, 39, 41, 161],
  riscv64: [40, 39, 41, 161],
  loong64: [40, 39, 41, 161],
};

/** argv: the five syscall numbers, PID 1, its namespace files to join (comma-separated), then the steps' words. */
export const STAGED_PROGRAM = String.raw`my ($setns, $mount, $umount2, $pivot, $sethostname) = map { $_ + 0 } splice(@ARGV, 0, 5);
my ($pid, $types) = splice(@ARGV, 0, 2);
my @ns;
for my $t (split /,/, $types) {
  open(my $f, '<', "/proc/$pid/ns/$t") or die "nsenter: cannot open /proc/$pid/ns/$t: $!\n";
  push @ns, [$t, $f];
}
for (@ns) { syscall($setns, fileno($_->[1]), 0) == 0 or die "nsenter: reassociate to namespace 'ns/$_->[0]' failed: $!\n" }
# a PID namespace joined takes in only the children: the steps run in one
defined(my $child = fork) or die "nsenter: fork: $!\n";
if ($child) { waitpid($child, 0); exit($? == 0 ? 0 : 1) }
while (@ARGV) {
  my $op = shift @ARGV;
  if ($op eq 'm') {
    my ($src, $tgt, $type, $flags, $data) = splice(@ARGV, 0, 5);
    syscall($mount, $src, $tgt, $type, $flags + 0, $data) == 0 or die "mount: $tgt: $!\n";
  } elsif ($op eq 'h') {
    my $name = shift @ARGV;
    syscall($sethostname, $name, length($name)) == 0 or die "hostname: $!\n";
  } elsif ($op eq 'x') {
    my @cmd = splice(@ARGV, 0, shift(@ARGV));
    system { $cmd[0] } @cmd;
    $? == 0 or die "$cmd[0] failed (" . ($? & 127 ? "signal " . ($? & 127) : "exit " . ($? >> 8)) . ")\n";
  } elsif ($op eq 'p') {
    my ($new, $old) = splice(@ARGV, 0, 2);
    syscall($pivot, $new, $old) == 0 or die "pivot_root: $!\n";
    chdir('/') or die "chdir /: $!\n";
  } elsif ($op eq 'u') {
    my ($tgt, $flags) = splice(@ARGV, 0, 2);
    syscall($umount2, $tgt, $flags + 0) == 0 or die "umount: $tgt: $!\n";
  } else {
    die "nslab staged: unknown step $op\n";
  }
}
print "${STAGED_DONE}\n";
`;

/** Namespace files in nsenter's order of joining, by its flag. */
const NS_FILES: [string, string][] = [['-U', 'user'], ['-C', 'cgroup'], ['-i', 'ipc'], ['-u', 'uts'], ['-n', 'net'], ['-p', 'pid'], ['-m', 'mnt']];

/** The Perl sequencer's argv for these steps, or null where it cannot be used (see the top). */
export function stagedPerlArgv(pid1: number, steps: readonly StagedStep[], perl: boolean): string[] | null {
  const setns = SETNS_NR[process.arch];
  const mounts = MOUNT_NRS[process.arch];
  const flags = new Set(stagedFlags(steps));
  if (!perl || setns === undefined || !mounts || flags.has('-U')) return null;
  const numbers = [setns, ...mounts];
  const types = NS_FILES.filter(([f]) => flags.has(f)).map(([, t]) => t).join(',');
  return ['perl', '-e', STAGED_PROGRAM, ...numbers.map(String), String(pid1), types, ...steps.flatMap((s) => s.ops)];
}


export const enterArgv = (pid1: number, flags: readonly string[]): string[] => ['nsenter', '-t', String(pid1), ...flags, '--'];

/** The namespaces the staged process joins: every step's, in nsenter's order. */
export function stagedFlags(steps: readonly StagedStep[]): string[] {
  const wanted = new Set(steps.flatMap((s) => s.stands.flatMap((c) => c.flags)));
  return ['-U', '-m', '-u', '-i', '-n', '-p', '-C'].filter((f) => wanted.has(f));
}

/** `nsenter -t PID1 FLAGS -- find START -maxdepth 0 -exec STEP ; … -printf DONE`. */
export function stagedArgv(pid1: number, start: string, steps: readonly StagedStep[]): string[] {
  for (const s of steps) {
    // find gives these words a meaning of its own inside -exec
    const bad = s.argv.find((w) => w === ';' || w.includes('{}'));
    if (bad !== undefined) throw new NslabError('invalid-params', `a container build step cannot carry ${JSON.stringify(bad)}: ${s.argv.join(' ')}`);
  }
  return [...enterArgv(pid1, stagedFlags(steps)), 'find', start, '-maxdepth', '0', ...steps.flatMap((s) => ['-exec', ...s.argv, ';']), '-printf', `${STAGED_DONE}\\n`];
}

/** The single commands of every step, in order (what a person would type instead). */
export const stagedLines = (pid1: number, steps: readonly StagedStep[]): string[][] => steps.flatMap((s) => s.stands.map((c) => [...enterArgv(pid1, c.flags), ...c.argv]));
