// nslab's docker-proxy: dockerd starts one `docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port P
// -container-ip C -container-port Q` per published port; it accepts on every address of the host (127.0.0.1
// included, which no DNAT rule reaches: OUTPUT skips 127.0.0.0/8, and a container's hairpin connection is
// RETURNed in nat DOCKER) and copies bytes to the container. Same flags; the first word after the program is
// nslab's marker, by which the helper finds and ends it (a connection's child keeps the argv, so it is found too).
//
// Why Perl and not Node: the forwarder must run inside the host node's namespace, which only a new process
// can enter (`ip netns exec`; Node has no setns), and a Node start (0.1–0.4 s on a loaded machine) was most
// of `dockernet up`. perl-base is Essential on Debian and ships IO::Socket and IO::Select; a start is ~30 ms.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PROXY_PROGRAM = String.raw`# nslab docker-proxy (written by the helper; see electron/helper/dockernet/proxy-program.ts)
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

$SIG{CHLD} = 'IGNORE';    # connection children are reaped by the kernel
$SIG{PIPE} = 'IGNORE';    # a peer gone mid-write ends that copy, not the proxy
my ($marker, @args) = @ARGV;
my %flag = @args;
for my $f (qw(-proto -host-ip -host-port -container-ip -container-port)) {
  defined $flag{$f} or die "docker-proxy: missing $f\n";
}
$flag{'-proto'} eq 'tcp' or die "docker-proxy: only -proto tcp\n";
my $listener = IO::Socket::INET->new(
  LocalAddr => $flag{'-host-ip'}, LocalPort => $flag{'-host-port'}, Proto => 'tcp', Listen => 128, ReuseAddr => 1,
) or die "docker-proxy: listen on $flag{'-host-port'}: $!\n";

# Copies both ways until both sides have ended; an end on one side is passed on as a half-close.
sub pump {
  my ($x, $y) = @_;
  my %peer = (fileno($x) => $y, fileno($y) => $x);
  my $select = IO::Select->new($x, $y);
  while ($select->count) {
    for my $from ($select->can_read) {
      my $to = $peer{fileno $from};
      my $n = sysread($from, my $buf, 65536);
      if (!$n) {
        $select->remove($from);
        shutdown($to, 1);
        next;
      }
      for (my $off = 0; $off < $n;) {
        my $k = syswrite($to, $buf, $n - $off, $off);
        return unless defined $k;
        $off += $k;
      }
    }
  }
}

while (1) {
  my $client = $listener->accept or next;
  my $pid = fork;
  if (!defined $pid || $pid) {
    close $client;
    next;
  }
  close $listener;
  my $upstream = IO::Socket::INET->new(PeerAddr => $flag{'-container-ip'}, PeerPort => $flag{'-container-port'}, Proto => 'tcp') or exit 1;
  pump($client, $upstream);
  exit 0;
}
`;

/** The program's file under the state directory (written when missing or changed). */
export function proxyProgramFile(stateDir: string): string {
  const dir = join(stateDir, 'dockernet');
  const file = join(dir, 'docker-proxy.pl');
  let current: string | null = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // not written yet
  }
  if (current !== PROXY_PROGRAM) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, PROXY_PROGRAM);
  }
  return file;
}
