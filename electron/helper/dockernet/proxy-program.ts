// nslab's docker-proxy: dockerd starts one `docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port P
// -container-ip C -container-port Q` per published port; it accepts on every address of the host (127.0.0.1
// included, which no DNAT rule reaches: OUTPUT skips 127.0.0.0/8, and a container's hairpin connection is
// RETURNed in nat DOCKER) and copies bytes to the container. Same flags; the first word after the program is
// nslab's marker, by which the helper finds and ends it (a connection's child keeps the argv, so it is found too).
//
// Why Perl and not Node: the forwarder must run inside the host node's namespace, which only a new process
// can enter (`ip netns exec`; Node has no setns), and a Node start (0.1–0.4 s on a loaded machine) was most
// of `dockernet up`. perl-base is Essential on Debian. No module at all, not even strict, warnings or Socket:
// loading them cost 10–30 ms of every start (most of it Socket's), a bare start is ~3 ms. So the socket
// constants are Linux's (the same on x86, arm, riscv, ppc and s390 — not MIPS or SPARC: AF_INET 2, SOCK_STREAM 1,
// SOL_SOCKET 1, SO_REUSEADDR 2) and a sockaddr_in is packed by hand (family in host order, port and
// address in network order).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PROXY_PROGRAM = String.raw`# nslab docker-proxy (written by the helper; see electron/helper/dockernet/proxy-program.ts)
sub sockaddr { pack('S n C4 x8', 2, $_[0], split(/\./, $_[1])) }

$SIG{CHLD} = 'IGNORE';    # connection children are reaped by the kernel
$SIG{PIPE} = 'IGNORE';    # a peer gone mid-write ends that copy, not the proxy
my ($marker, %flag) = @ARGV;
for my $f (qw(-proto -host-ip -host-port -container-ip -container-port)) {
  defined $flag{$f} or die "docker-proxy: missing $f\n";
}
$flag{'-proto'} eq 'tcp' or die "docker-proxy: only -proto tcp\n";
socket(my $listener, 2, 1, 0) or die "docker-proxy: socket: $!\n";
setsockopt($listener, 1, 2, 1) or die "docker-proxy: SO_REUSEADDR: $!\n";
bind($listener, sockaddr($flag{'-host-port'}, $flag{'-host-ip'})) or die "docker-proxy: bind $flag{'-host-ip'}:$flag{'-host-port'}: $!\n";
listen($listener, 4096) or die "docker-proxy: listen: $!\n";
# Listening: the first process's exit tells whoever started it; its child is the proxy, with no stdio.
defined(my $daemon = fork) or die "docker-proxy: fork: $!\n";
exit 0 if $daemon;
open(STDIN, '<', '/dev/null');
open(STDOUT, '>', '/dev/null');
open(STDERR, '>', '/dev/null');
my $container = sockaddr($flag{'-container-port'}, $flag{'-container-ip'});

# Copies both ways until both sides have ended; an end on one side is passed on as a half-close.
sub pump {
  my ($x, $y) = @_;
  my %peer = (fileno($x) => $y, fileno($y) => $x);
  my %open = (fileno($x) => $x, fileno($y) => $y);
  while (%open) {
    my $rin = '';
    vec($rin, $_, 1) = 1 for keys %open;
    next unless select(my $rout = $rin, undef, undef, undef) > 0;
    for my $fd (keys %open) {
      next unless vec($rout, $fd, 1);
      my $n = sysread($open{$fd}, my $buf, 65536);
      if (!$n) {
        delete $open{$fd};
        shutdown($peer{$fd}, 1);
        next;
      }
      for (my $off = 0; $off < $n;) {
        my $k = syswrite($peer{$fd}, $buf, $n - $off, $off);
        return unless defined $k;
        $off += $k;
      }
    }
  }
}

while (1) {
  accept(my $client, $listener) or next;
  my $pid = fork;
  if (!defined $pid || $pid) {
    close $client;
    next;
  }
  close $listener;
  socket(my $upstream, 2, 1, 0) or exit 1;
  connect($upstream, $container) or exit 1;
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
