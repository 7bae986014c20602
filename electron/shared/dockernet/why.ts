// Why Docker made each object of a dockernet, in English and Korean: one sentence per key, with {placeholders}
// filled from the object's params. The helper fills both (dockernet.show carries `why` and `whyKo`); the CLI
// prints the one of its language, the renderer the one of the UI's.
type Pair = readonly [en: string, ko: string];

export const DOCKERNET_WHY = {
  // network modes
  'mode.bridge': ['Each container gets its own network namespace, joined to docker0 by a veth pair.', '컨테이너마다 자기 네트워크 네임스페이스를 받고, veth 쌍으로 docker0에 연결됩니다.'],
  'mode.none': ['--network none: Docker gives the container a namespace of its own with only lo in it.', '--network none: Docker는 컨테이너에 lo만 있는 자기 네임스페이스를 줍니다.'],
  'mode.host': ['--network host: Docker creates no namespace; the container uses the host’s interfaces directly.', '--network host: Docker는 네임스페이스를 만들지 않습니다. 컨테이너가 호스트의 인터페이스를 그대로 씁니다.'],
  'mode.macvlan': ['--network macvlan: the container gets a namespace whose only link is a macvlan child of the host’s parent interface, with a MAC of its own on the LAN.', '--network macvlan: 컨테이너의 네임스페이스에는 호스트 부모 인터페이스의 macvlan 자식 링크 하나만 있고, LAN에서 자기 MAC을 가집니다.'],
  'mode.ipvlan': ['--network ipvlan: like macvlan, but the children share the parent’s MAC and the kernel tells them apart by IP address.', '--network ipvlan: macvlan과 비슷하지만 자식들이 부모의 MAC을 함께 쓰고, 커널이 IP 주소로 구별합니다.'],
  // nodes and addresses
  'outside.macvlan': ['The LAN’s router: the macvlan containers’ gateway, reached without passing through the host.', 'LAN의 라우터: macvlan 컨테이너의 게이트웨이로, 호스트를 거치지 않고 닿습니다.'],
  outside: ['The outside: another machine on the host’s LAN, from where published ports are reached through DNAT.', '바깥: 호스트 LAN의 다른 컴퓨터로, 여기서 DNAT을 거쳐 공개된 포트에 접속합니다.'],
  underlay: ['The underlay: the physical network both Docker hosts are plugged into, here one bridge.', '언더레이: 두 Docker 호스트가 꽂혀 있는 물리 네트워크로, 여기서는 브리지 하나입니다.'],
  host: ['A simulated Docker host: everything dockerd creates outside containers lives in this namespace.', '흉내 낸 Docker 호스트: dockerd가 컨테이너 밖에 만드는 모든 것이 이 네임스페이스에 있습니다.'],
  'host-lan.macvlan': ['The host’s own leg on the LAN, and the parent of the containers’ macvlan links.', 'LAN에 닿는 호스트 자신의 다리이자, 컨테이너 macvlan 링크의 부모입니다.'],
  'host-lan': ['The host’s own address on its LAN: what the outside connects to for a published port.', 'LAN에서의 호스트 자신의 주소: 바깥이 공개된 포트에 접속할 때 쓰는 주소입니다.'],
  docker0: ['dockerd creates the docker0 bridge at start-up: the switch every container on the default network plugs into.', 'dockerd는 시작할 때 docker0 브리지를 만듭니다. 기본 네트워크의 모든 컨테이너가 꽂히는 스위치입니다.'],
  'user-bridge': ['`docker network create` makes a bridge of its own (br-<id>) for a user-defined network.', '`docker network create`는 사용자 정의 네트워크마다 자기 브리지(br-<id>)를 만듭니다.'],
  gateway: ['The bridge takes the first address of the subnet and is the containers’ gateway.', '브리지가 서브넷의 첫 주소를 갖고 컨테이너의 게이트웨이가 됩니다.'],
  veth: ['The host end of {container}’s veth pair, named veth + 7 hex by Docker, enslaved to {bridge}.', '{container}의 veth 쌍 중 호스트 쪽 끝으로, Docker식으로 veth + 16진수 7자리로 이름 짓고 {bridge}에 붙였습니다.'],
  eth0: ['The container end, renamed eth0 and moved into the container; its MAC is 02:42 followed by the IPv4 address bytes.', '컨테이너 쪽 끝으로, eth0으로 이름을 바꿔 컨테이너 안으로 옮겼습니다. MAC은 02:42 뒤에 IPv4 주소 바이트가 붙습니다.'],
  ipam: ['Docker’s IPAM hands out .2, .3, … in start order.', 'Docker의 IPAM은 시작 순서대로 .2, .3, …을 나눠 줍니다.'],
  'default-route': ['Everything off the subnet goes to {bridge}’s address on the host.', '서브넷 밖으로 가는 모든 것은 호스트에 있는 {bridge}의 주소로 갑니다.'],
  macvlan: ['A macvlan child of the host’s eth0, made straight into the container as eth0: bridge mode lets children talk to each other, but never to their parent — the host cannot reach its own macvlan containers.', '호스트 eth0의 macvlan 자식을 컨테이너 안에 바로 eth0으로 만들었습니다. bridge 모드에서 자식끼리는 통하지만 부모와는 통하지 않습니다 — 호스트는 자기 macvlan 컨테이너에 닿지 못합니다.'],
  'ipam.macvlan': ['Docker’s IPAM hands out .2, .3, … of the macvlan network’s subnet in start order.', 'Docker의 IPAM은 macvlan 네트워크 서브넷의 .2, .3, …을 시작 순서대로 나눠 줍니다.'],
  'macvlan-route': ['The macvlan network’s gateway is the LAN’s router, not the host.', 'macvlan 네트워크의 게이트웨이는 호스트가 아니라 LAN의 라우터입니다.'],
  // sysctls
  'sysctl.ip_forward': ['Docker turns on forwarding so the host routes between docker0 and its other interfaces.', 'Docker는 포워딩을 켜서 호스트가 docker0과 다른 인터페이스 사이를 라우팅하게 합니다.'],
  'sysctl.bridge-nf-call-iptables': ['Docker loads br_netfilter and sets this so traffic between containers on docker0 passes iptables (isolation and ICC rules).', 'Docker는 br_netfilter를 올리고 이 값을 켜서 docker0 위 컨테이너 사이의 트래픽도 iptables(격리와 ICC 규칙)를 지나게 합니다.'],
  'sysctl.ip_unprivileged_port_start': ['Docker 20.10 lets a non-root process in the container bind ports below 1024 (its namespace is its own).', 'Docker 20.10은 컨테이너 안의 root가 아닌 프로세스도 1024 아래 포트에 bind하게 합니다(네임스페이스가 자기 것이므로).'],
  'sysctl.ping_group_range': ['Docker 20.10 lets every user in the container ping without CAP_NET_RAW (ICMP datagram sockets).', 'Docker 20.10은 컨테이너 안의 모든 사용자가 CAP_NET_RAW 없이 ping하게 합니다(ICMP 데이터그램 소켓).'],
  // chains
  'chain.DOCKER': ['Docker keeps the per-port rules of published ports here (filter: ACCEPT to the container; nat: the DNAT).', 'Docker는 공개된 포트의 포트별 규칙을 여기에 둡니다(filter: 컨테이너로의 ACCEPT, nat: DNAT).'],
  'chain.DOCKER-USER': ['Docker leaves this chain for the administrator: rules here run before any of Docker’s own forwarding rules.', 'Docker는 이 체인을 관리자에게 남겨 둡니다. 여기 규칙은 Docker 자신의 어떤 포워딩 규칙보다 먼저 실행됩니다.'],
  'chain.DOCKER-ISOLATION-STAGE-1': ['The first stage of network isolation: traffic leaving one Docker bridge for another is sent to stage 2.', '네트워크 격리의 첫 단계: 한 Docker 브리지에서 다른 곳으로 나가는 트래픽을 2단계로 보냅니다.'],
  'chain.DOCKER-ISOLATION-STAGE-2': ['DOCKER-ISOLATION-STAGE-2 drops traffic between two user bridges, so networks cannot reach each other.', 'DOCKER-ISOLATION-STAGE-2는 두 사용자 브리지 사이의 트래픽을 버려서 네트워크끼리 닿지 못하게 합니다.'],
  'chain.DOCKER-FORWARD': ['moby 28 moved every Docker forwarding rule out of FORWARD into this one chain, reached by a single jump.', 'moby 28은 Docker의 포워딩 규칙을 모두 FORWARD에서 이 체인 하나로 옮겼고, 점프 하나로 들어옵니다.'],
  'chain.DOCKER-CT': ['moby 28 accepts replies of connections a container opened (conntrack RELATED,ESTABLISHED) here, per bridge.', 'moby 28은 컨테이너가 연 연결의 응답(conntrack RELATED,ESTABLISHED)을 브리지별로 여기서 받아들입니다.'],
  'chain.DOCKER-BRIDGE': ['moby 28 sends traffic heading into each bridge to the DOCKER chain from here.', 'moby 28은 각 브리지로 들어가는 트래픽을 여기서 DOCKER 체인으로 보냅니다.'],
  'chain.forward-drop': ['Docker turned on ip_forward and, because it did, set the FORWARD policy to DROP so that only what its rules accept is routed.', 'Docker는 ip_forward를 켰기 때문에 FORWARD 정책을 DROP으로 두어, 자기 규칙이 받아들인 것만 라우팅되게 합니다.'],
  'chain.builtin': ['The kernel’s built-in {table} {chain} hook (policy {policy}).', '커널에 내장된 {table} {chain} 훅입니다(정책 {policy}).'],
  // nat rules
  'rule.prerouting-docker': ['Packets arriving for any of the host’s own addresses go to nat DOCKER, where published ports are DNATed.', '호스트 자신의 주소로 들어오는 패킷은 nat DOCKER로 가고, 거기서 공개된 포트가 DNAT됩니다.'],
  'rule.output-docker': ['The host’s own connections to its addresses (but not 127.0.0.0/8, which docker-proxy serves) are DNATed too.', '호스트가 자기 주소로 여는 연결도 DNAT됩니다(단 127.0.0.0/8은 아니며, 이건 docker-proxy가 맡습니다).'],
  'rule.masquerade': ['Containers of {subnet} leaving through any interface but {bridge} get the host’s address (MASQUERADE), so replies find their way back.', '{bridge}가 아닌 인터페이스로 나가는 {subnet}의 컨테이너는 호스트의 주소를 받습니다(MASQUERADE). 그래서 응답이 되돌아옵니다.'],
  'rule.hairpin': ['Hairpin: a container reaching its own published port {hostPort} is masqueraded so the reply goes back through the host.', '헤어핀: 컨테이너가 자기의 공개 포트 {hostPort}에 접속하면 MASQUERADE되어 응답이 호스트를 거쳐 돌아갑니다.'],
  'rule.nat-return': ['Traffic from containers on {bridge} is never DNATed by a published port of the host.', '{bridge} 위 컨테이너에서 온 트래픽은 호스트의 공개 포트로 DNAT되지 않습니다.'],
  'rule.dnat': ['-p {hostPort}:{containerPort}: connections to the host’s port {hostPort} are rewritten to the container {containerIp}:{containerPort}.', '-p {hostPort}:{containerPort}: 호스트 포트 {hostPort}로의 연결을 컨테이너 {containerIp}:{containerPort}로 바꿔 씁니다.'],
  // filter rules
  'rule.accept-port': ['The DNATed packets of published port {hostPort} may be forwarded into the container {containerIp}:{containerPort}.', '공개 포트 {hostPort}의 DNAT된 패킷은 컨테이너 {containerIp}:{containerPort}로 포워딩될 수 있습니다.'],
  'rule.ct': ['Replies to connections containers on {bridge} opened are let back in.', '{bridge} 위 컨테이너가 연 연결의 응답은 다시 들어오게 합니다.'],
  'rule.isolation-1': ['Traffic leaving {bridge} for another interface is checked by stage 2.', '{bridge}에서 다른 인터페이스로 나가는 트래픽은 2단계에서 검사합니다.'],
  'rule.isolation-2': ['DOCKER-ISOLATION-STAGE-2 drops traffic from another Docker bridge into {bridge}.', 'DOCKER-ISOLATION-STAGE-2는 다른 Docker 브리지에서 {bridge}로 들어오는 트래픽을 버립니다.'],
  'rule.forward-user': ['The administrator’s DOCKER-USER rules come first.', '관리자의 DOCKER-USER 규칙이 가장 먼저 옵니다.'],
  'rule.forward-isolation': ['Then network isolation: one Docker bridge may not reach another.', '다음은 네트워크 격리: 한 Docker 브리지는 다른 브리지에 닿을 수 없습니다.'],
  'rule.forward-docker': ['New traffic into {bridge} must be accepted by a published port in filter DOCKER.', '{bridge}로 들어가는 새 트래픽은 filter DOCKER에서 공개 포트로 받아들여져야 합니다.'],
  'rule.forward-out': ['Containers on {bridge} may go out to anywhere else.', '{bridge} 위 컨테이너는 다른 어디로든 나갈 수 있습니다.'],
  'rule.forward-icc': ['Containers on {bridge} may talk to each other (inter-container communication).', '{bridge} 위 컨테이너끼리 통신할 수 있습니다(컨테이너 간 통신, ICC).'],
  'rule.isolation-1-return': ['Not leaving a Docker bridge: back to FORWARD.', 'Docker 브리지를 떠나는 트래픽이 아니면 FORWARD로 돌아갑니다.'],
  'rule.isolation-2-return': ['Not entering another Docker bridge: back to FORWARD.', '다른 Docker 브리지로 들어가는 트래픽이 아니면 FORWARD로 돌아갑니다.'],
  'rule.user-return': ['Empty until the administrator adds rules: back to FORWARD.', '관리자가 규칙을 넣기 전까지는 비어 있어 FORWARD로 돌아갑니다.'],
  'rule.forward-docker-forward': ['Then every Docker forwarding rule, in one chain.', '다음은 Docker의 모든 포워딩 규칙으로, 한 체인에 모여 있습니다.'],
  'rule.docker-drop': ['Anything else entering {bridge} from outside it is dropped: only published ports get in.', '바깥에서 {bridge}로 들어가는 나머지는 모두 버립니다. 공개된 포트만 들어옵니다.'],
  'rule.bridge-docker': ['Traffic into {bridge} is judged by filter DOCKER.', '{bridge}로 들어가는 트래픽은 filter DOCKER가 판단합니다.'],
  'rule.forward-ct': ['Replies first (conntrack).', '응답이 먼저입니다(conntrack).'],
  'rule.forward-isolation-28': ['Then isolation between Docker bridges.', '다음은 Docker 브리지 사이의 격리입니다.'],
  'rule.forward-bridge': ['Then the rules for traffic entering each bridge.', '다음은 각 브리지로 들어가는 트래픽의 규칙입니다.'],
  'rule.forward-accept-28': ['Containers on {bridge} may send anywhere (to each other and out).', '{bridge} 위 컨테이너는 어디로든(서로에게도, 바깥으로도) 보낼 수 있습니다.'],
  'rule.raw-drop': ['moby 28 drops packets sent straight to the container address {containerIp} from outside {bridge}: only the published port may reach it.', 'moby 28은 {bridge} 바깥에서 컨테이너 주소 {containerIp}로 곧장 보낸 패킷을 버립니다. 공개된 포트로만 닿을 수 있습니다.'],
  // two hosts
  'multihost.accept-peer': ['The other host’s containers ({theirs}) may reach this host’s containers: Docker’s FORWARD policy DROP would stop them, so the administrator’s DOCKER-USER chain lets them in.', '다른 호스트의 컨테이너({theirs})가 이 호스트의 컨테이너에 닿을 수 있게 합니다. Docker의 FORWARD 정책 DROP이 막을 것이므로 관리자의 DOCKER-USER 체인에서 들여보냅니다.'],
  'multihost.no-masquerade': ['Traffic between the two container ranges keeps its container addresses: without this, Docker’s MASQUERADE would hide {mine} behind the host’s address.', '두 컨테이너 대역 사이의 트래픽은 컨테이너 주소를 그대로 유지합니다. 이게 없으면 Docker의 MASQUERADE가 {mine}을 호스트 주소 뒤에 숨깁니다.'],
  'vxlan.link': ['vxlan0 wraps each frame in UDP port 4789 with VNI {vni} and sends it to the other host’s underlay address; its MTU is {mtu} because the outer headers take 50 of the underlay’s 1500 bytes.', 'vxlan0은 프레임마다 VNI {vni}로 UDP 4789 포트에 감싸 다른 호스트의 언더레이 주소로 보냅니다. 바깥 헤더가 언더레이의 1500바이트 중 50을 쓰므로 MTU는 {mtu}입니다.'],
  'vxlan.address': ['The tunnel end of this host in the transit subnet: the next hop of the route to the other host’s containers.', '전송 서브넷에 있는 이 호스트의 터널 끝으로, 다른 호스트 컨테이너로 가는 라우트의 다음 홉입니다.'],
  'vxlan.route': ['The other host’s container range is reached through the tunnel.', '다른 호스트의 컨테이너 대역에는 터널을 거쳐 닿습니다.'],
  'vxlan.fdb': ['The forwarding database entry: frames for unknown MACs (and ARP broadcasts) are sent to this VTEP; learned entries for the peer’s MAC appear next to it.', '포워딩 데이터베이스 항목: 모르는 MAC으로 가는 프레임(과 ARP 브로드캐스트)은 이 VTEP으로 보냅니다. 배운 상대 MAC 항목은 그 옆에 나타납니다.'],
  'vxlan.routing': ['Direct routing: the other host’s container range is reached through the other host’s own underlay address — no encapsulation, full 1500-byte MTU, but both hosts must share the L2 segment (or a router must know the routes).', '직접 라우팅: 다른 호스트의 컨테이너 대역에 그 호스트의 언더레이 주소를 거쳐 닿습니다 — 캡슐화가 없어 MTU는 1500바이트 그대로지만, 두 호스트가 같은 L2 구간에 있어야 합니다(또는 라우터가 그 라우트를 알아야 합니다).'],
  // processes
  httpd: ['The container’s program: what `docker run busybox httpd -f -p 80` would run.', '컨테이너의 프로그램: `docker run busybox httpd -f -p 80`이 실행할 것입니다.'],
  'docker-proxy': ['docker-proxy accepts what no DNAT rule catches — connections to 127.0.0.1 (OUTPUT skips 127.0.0.0/8) and from containers (nat DOCKER RETURNs them) — and copies the bytes to the container.', 'docker-proxy는 어떤 DNAT 규칙도 잡지 못하는 연결 — 127.0.0.1로의 연결(OUTPUT은 127.0.0.0/8을 건너뜀)과 컨테이너에서 온 연결(nat DOCKER가 RETURN함) — 을 받아 바이트를 컨테이너로 복사합니다.'],
} as const satisfies Record<string, Pair>;

export type DockernetWhyKey = keyof typeof DOCKERNET_WHY;
export type WhyText = { en: string; ko: string; key: DockernetWhyKey };

const fill = (template: string, params: Record<string, string | number>): string => template.replace(/\{(\w+)\}/g, (m, k: string) => (params[k] === undefined ? m : String(params[k])));

/** The sentence of `key` in both languages, its placeholders filled. */
export function dockernetWhy(key: DockernetWhyKey, params: Record<string, string | number> = {}): WhyText {
  const [en, ko] = DOCKERNET_WHY[key];
  return { en: fill(en, params), ko: fill(ko, params), key };
}
