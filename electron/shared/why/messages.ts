// What the diagnoser says, in English and Korean: one title and one explanation per check outcome, with
// {placeholders} filled from the check's params. The helper renders them (the CLI prints them as they
// are); the renderer may render the same keys itself.
type Pair = readonly [en: string, ko: string];
interface Message {
  title: Pair;
  text: Pair;
}

export const WHY_MESSAGES = {
  'target.found': {
    title: ['{to} belongs to {target}', '{to}는 {target}의 주소입니다'],
    text: ['The destination address is configured on {target} ({dev}).', '목적지 주소는 {target}의 {dev}에 설정되어 있습니다.'],
  },
  'target.outside': {
    title: ['{to} is outside your nodes', '{to}는 노드 밖의 주소입니다'],
    text: ['No node has {to}; the path is followed as far as the routes lead.', '어느 노드에도 {to}가 없습니다. 라우트가 이끄는 데까지 경로를 따라갑니다.'],
  },
  'link.ok': {
    title: ['{dev} in {node} is up', '{node}의 {dev}가 올라와 있습니다'],
    text: ['Both ends of the link are administratively up and have carrier.', '링크의 양 끝이 up이고 캐리어가 있습니다.'],
  },
  'link.down': {
    title: ['{dev} in {node} is down', '{node}의 {dev}가 내려가 있습니다'],
    text: [
      'The interface {dev} in {node} is down, so no packet leaves or enters through it (and the kernel dropped the routes through it). Bring it up.',
      '{node}의 {dev} 인터페이스가 down 상태라서 이 인터페이스로는 패킷이 나가지도 들어오지도 않습니다(커널은 이 인터페이스를 통한 라우트도 지웠습니다). up으로 올리세요.',
    ],
  },
  'link.peer-down': {
    title: ['the other end of {dev} ({peer} in {peerNode}) is down', '{dev}의 반대편({peerNode}의 {peer})이 내려가 있습니다'],
    text: [
      'A veth pair carries packets only when both ends are up. {dev} in {node} is up, but its peer {peer} in {peerNode} is down, so {dev} has no carrier (state {state}).',
      'veth 쌍은 양 끝이 모두 up일 때만 패킷을 전달합니다. {node}의 {dev}는 up이지만 반대편 {peerNode}의 {peer}가 down이라 캐리어가 없습니다(상태 {state}).',
    ],
  },
  'link.wrong-ns': {
    title: ['{dev} of {node} is in {actual}, not in {expected}', '{node}의 {dev} 반대편이 {expected}가 아니라 {actual}에 있습니다'],
    text: [
      'The peer of {dev} in {node} is {peer}, which the topology puts in {expected}; it is in {actual}, where it has no address and nothing uses it. Move it back (and give it its address again).',
      '{node}의 {dev}의 짝은 {peer}이고 토폴로지에서는 {expected}에 있어야 하는데 {actual}에 있습니다. 그곳에서는 주소도 없고 쓰이지도 않습니다. 다시 옮기고 주소를 다시 주세요.',
    ],
  },
  'addr.missing': {
    title: ['nobody on the link from {node} has {addr}', '{node}에서 이어진 링크에 {addr}를 가진 곳이 없습니다'],
    text: [
      '{node} sends to {addr} through {dev}, but no interface on that link has the address, so the ARP request goes unanswered. {owner} should have {expected}.',
      '{node}는 {dev}로 {addr}에 보내지만 그 링크의 어떤 인터페이스도 이 주소를 갖고 있지 않아 ARP 요청에 답이 없습니다. {owner}에 {expected}가 있어야 합니다.',
    ],
  },
  'addr.mask': {
    title: ['{node} {dev} has {addr}: its mask does not match {peerAddr} on the same link', '{node} {dev}의 {addr}: 같은 링크의 {peerAddr}와 마스크가 맞지 않습니다'],
    text: [
      'Both ends of one link must be in one subnet. {addr} on {node} and {peerAddr} on {peerNode} disagree, so {node} does not see {peerIp} as directly reachable (and a route via it cannot exist). Use /{prefix}.',
      '한 링크의 양 끝은 같은 서브넷에 있어야 합니다. {node}의 {addr}와 {peerNode}의 {peerAddr}가 맞지 않아 {node}는 {peerIp}를 직접 닿는 주소로 보지 않습니다(그래서 그리로 가는 라우트도 만들 수 없습니다). /{prefix}를 쓰세요.',
    ],
  },
  'route.ok': {
    title: ['{node} routes {dst} {route}', '{node}는 {dst}를 {route}로 보냅니다'],
    text: ['`ip route get` in {node} answers {route}.', '{node}에서 `ip route get`의 답은 {route}입니다.'],
  },
  'route.none': {
    title: ['{node} has no route to {dst}', '{node}에 {dst}로 가는 라우트가 없습니다'],
    text: [
      '`ip route get {dst}` in {node} answers "{error}": the packet is dropped before it leaves. Add a route (e.g. a default route via {via}).',
      '{node}에서 `ip route get {dst}`의 답은 "{error}"입니다. 패킷은 나가기 전에 버려집니다. 라우트를 추가하세요(예: {via}를 거치는 기본 라우트).',
    ],
  },
  'forwarding.ok': {
    title: ['{node} forwards packets (ip_forward = 1)', '{node}는 패킷을 포워딩합니다(ip_forward = 1)'],
    text: ['The packet is not for {node}; it is a router and forwards it.', '패킷은 {node}의 것이 아니고, {node}는 라우터로서 이를 전달합니다.'],
  },
  'forwarding.off': {
    title: ['{node} does not forward: ip_forward = 0', '{node}는 포워딩하지 않습니다: ip_forward = 0'],
    text: [
      'The packet arrives at {node} on {iif} but is for {dst}, another host. With net.ipv4.ip_forward = 0 the kernel drops it ("No route to host" for a forwarded packet). Turn forwarding on.',
      '패킷은 {iif}로 {node}에 도착했지만 다른 호스트 {dst}로 가는 것입니다. net.ipv4.ip_forward = 0이면 커널은 이를 버립니다(포워딩되는 패킷에 대해 "No route to host"). 포워딩을 켜세요.',
    ],
  },
  'rpfilter.drop': {
    title: ['rp_filter in {node} drops it: the route back to {src} is not via {iif}', '{node}의 rp_filter가 버립니다: {src}로 돌아가는 라우트가 {iif}가 아닙니다'],
    text: [
      'Strict reverse-path filtering (rp_filter = {value}) accepts a packet only on the interface the route back to its source uses. {node} would answer {src} via {back}, not {iif}: an asymmetric path. Use loose mode (2) or make the path symmetric.',
      '엄격한 역경로 필터(rp_filter = {value})는 출발지로 돌아가는 라우트가 쓰는 인터페이스로 들어온 패킷만 받습니다. {node}는 {src}에 {iif}가 아니라 {back}로 답합니다: 비대칭 경로입니다. 느슨한 모드(2)를 쓰거나 경로를 대칭으로 만드세요.',
    ],
  },
  'rpfilter.ok': {
    title: ['rp_filter in {node} lets it in', '{node}의 rp_filter가 통과시킵니다'],
    text: ['The route back to {src} leaves through {iif}, where the packet came in (rp_filter = {value}).', '{src}로 돌아가는 라우트가 패킷이 들어온 {iif}로 나갑니다(rp_filter = {value}).'],
  },
  'bridge.ok': {
    title: ['{bridge} in {node} bridges {in} → {out}', '{node}의 {bridge}가 {in} → {out}로 브리지합니다'],
    text: ['Both ports are in the bridge and forwarding.', '두 포트 모두 브리지에 속해 있고 forwarding 상태입니다.'],
  },
  'bridge.port-missing': {
    title: ['{port} in {node} is not a port of {bridge}', '{node}의 {port}가 {bridge}의 포트가 아닙니다'],
    text: [
      '{owner} is reached through {port}, but {port} is not enslaved to {bridge}, so the bridge never sends frames there. Add it to the bridge.',
      '{owner}에는 {port}를 거쳐 닿는데, {port}가 {bridge}에 연결되어 있지 않아 브리지가 그쪽으로 프레임을 보내지 않습니다. 브리지에 추가하세요.',
    ],
  },
  'bridge.port-down': {
    title: ['bridge port {port} in {node} is down', '{node}의 브리지 포트 {port}가 내려가 있습니다'],
    text: ['{port} is a port of {bridge} but it is down (state {state}); the bridge does not forward through it.', '{port}는 {bridge}의 포트이지만 down 상태({state})라서 브리지가 이 포트로 전달하지 않습니다.'],
  },
  'bridge.nf': {
    title: ['bridged packets in {node} go through iptables (bridge-nf-call-iptables = 1)', '{node}에서 브리지되는 패킷은 iptables를 거칩니다(bridge-nf-call-iptables = 1)'],
    text: [
      'br_netfilter hands frames crossing {bridge} to the IPv4 hooks, so the FORWARD chains of {node} decide them too.',
      'br_netfilter가 {bridge}를 지나는 프레임을 IPv4 훅에 넘기므로 {node}의 FORWARD 체인이 이 패킷도 판정합니다.',
    ],
  },
  'chain.accept': {
    title: ['{node} {hook}: {chain} accepts', '{node} {hook}: {chain}이(가) 허용합니다'],
    text: ['{how}', '{how}'],
  },
  'chain.drop': {
    title: ['{node} {hook}: {chain} drops it ({how})', '{node} {hook}: {chain}이(가) 버립니다({how})'],
    text: [
      'In {node}, the {hook} hook runs {chain}; {how} decides {verdict} for this packet ({packet}). Remove or change that rule (or the policy).',
      '{node}의 {hook} 훅에서 {chain}이(가) 실행되고, {how}이(가) 이 패킷({packet})을 {verdict}로 판정합니다. 그 규칙(또는 정책)을 지우거나 바꾸세요.',
    ],
  },
  'chain.unknown': {
    title: ['{node} {hook}: {chain} has a rule nslab cannot evaluate', '{node} {hook}: {chain}에 nslab이 판정할 수 없는 규칙이 있습니다'],
    text: ['{how} uses matches nslab does not model; it was taken as not matching. If it drops, the observed path (--observe) shows it.', '{how}은(는) nslab이 모델링하지 않는 조건을 씁니다. 일치하지 않는 것으로 보았습니다. 버린다면 관찰 경로(--observe)에 나타납니다.'],
  },
  'nat.dnat': {
    title: ['{node} rewrites the destination to {target}', '{node}가 목적지를 {target}로 바꿉니다'],
    text: ['{how} (DNAT): from here on the packet goes to {target}.', '{how} (DNAT): 이제부터 패킷은 {target}로 갑니다.'],
  },
  'nat.dnat-wrong': {
    title: ['{node} DNATs to {target}, where {problem}', '{node}가 {target}로 DNAT하지만 그곳은 {problem}'],
    text: [
      '{how} sends {orig} to {target}, but {problem}. {suggest}',
      '{how}은(는) {orig}를 {target}로 보내지만 {problem}. {suggest}',
    ],
  },
  'nat.snat': {
    title: ['{node} rewrites the source to {addr}', '{node}가 출발지를 {addr}로 바꿉니다'],
    text: ['{how}: the reply comes back to {addr} and conntrack turns it back into {orig}.', '{how}: 응답은 {addr}로 돌아오고 conntrack이 이를 {orig}로 되돌립니다.'],
  },
  'nat.masquerade-missing': {
    title: ['no MASQUERADE: {src} leaves {node} unchanged towards {dst}, outside the lab', 'MASQUERADE 없음: {src}가 그대로 {node}를 떠나 랩 밖의 {dst}로 갑니다'],
    text: [
      '{src} is a private address; {dst} is not in any of your subnets, and {dstNode} has no route back to {src}. The router {node} must rewrite the source to its own address on {oif} (MASQUERADE), as a home router does.',
      '{src}는 사설 주소이고 {dst}는 어느 서브넷에도 없으며 {dstNode}에는 {src}로 돌아가는 라우트가 없습니다. 라우터 {node}가 {oif}의 자기 주소로 출발지를 바꿔야 합니다(MASQUERADE). 가정용 공유기가 하는 일입니다.',
    ],
  },
  'neigh.failed': {
    title: ['{node} could not resolve {addr} on {dev} (neighbour {state})', '{node}가 {dev}에서 {addr}를 찾지 못했습니다(이웃 상태 {state})'],
    text: ['The last ARP for {addr} went unanswered.', '{addr}에 대한 마지막 ARP에 답이 없었습니다.'],
  },
  'arrive.ok': {
    title: ['the packet reaches {node} on {iif}', '패킷이 {iif}로 {node}에 도착합니다'],
    text: ['{addr} is an address of {node}: it is delivered to its local stack.', '{addr}는 {node}의 주소이므로 로컬 스택으로 전달됩니다.'],
  },
  'socket.ok': {
    title: ['{node} listens on {proto} {port}', '{node}가 {proto} {port}에서 대기 중입니다'],
    text: ['{socket}', '{socket}'],
  },
  'socket.none': {
    title: ['nothing listens on {proto} port {port} in {node}', '{node}에서 {proto} {port} 포트로 대기하는 것이 없습니다'],
    text: [
      'The packet arrives, but no socket in {node} listens on {addr}:{port} ({listening}). The kernel answers {answer}. Start the service (e.g. {example}).',
      '패킷은 도착하지만 {node}에는 {addr}:{port}에서 대기하는 소켓이 없습니다({listening}). 커널은 {answer}로 답합니다. 서비스를 시작하세요(예: {example}).',
    ],
  },
  'ct.invalid': {
    title: ['{node} drops the reply as INVALID: it never saw the request', '{node}가 응답을 INVALID로 버립니다: 요청을 본 적이 없습니다'],
    text: [
      'The request went through {requestPath}, but the reply comes back through {node}. Its conntrack has no entry for the flow, classifies the reply as INVALID, and {how} drops it. Delete that rule, or make the path symmetric.',
      '요청은 {requestPath}를 지났지만 응답은 {node}를 거쳐 돌아옵니다. {node}의 conntrack에는 이 흐름이 없어 응답을 INVALID로 분류하고 {how}이(가) 버립니다. 규칙을 지우거나 경로를 대칭으로 만드세요.',
    ],
  },
  'loop.limit': {
    title: ['the path does not end within {hops} hops', '경로가 {hops}홉 안에 끝나지 않습니다'],
    text: ['The routes send the packet around in a loop ({path}).', '라우트가 패킷을 돌게 만듭니다({path}).'],
  },
  'observed.probe': {
    title: ['the probe: {detail}', '프로브: {detail}'],
    text: ['{fates}', '{fates}'],
  },
  'observed.drop': {
    title: ['the kernel dropped a packet: {reason} in {where} ({confidence})', '커널이 패킷을 버렸습니다: {where}에서 {reason} ({confidence})'],
    text: ['skb:kfree_skb reported reason {reason} at {location}. {why}', 'skb:kfree_skb가 {location}에서 이유 {reason}를 보고했습니다. {why}'],
  },
  'observed.counter': {
    title: ['{node}: {name} +{delta}', '{node}: {name} +{delta}'],
    text: ['This counter moved while the probe ran.', '프로브가 도는 동안 이 카운터가 움직였습니다.'],
  },
  'summary.ok': {
    title: ['{from} can reach {to}', '{from}는 {to}에 닿을 수 있습니다'],
    text: ['Every hop, chain and socket on the way there and back lets the packet through.', '가는 길과 돌아오는 길의 모든 홉, 체인, 소켓이 패킷을 통과시킵니다.'],
  },
  'summary.fail': {
    title: ['{from} cannot reach {to}: {cause}', '{from}는 {to}에 닿을 수 없습니다: {cause}'],
    text: ['{explanation}', '{explanation}'],
  },
  'disagree.sim-ok': {
    title: ['the simulation finds no problem, but the probe failed ({detail})', '시뮬레이션은 문제를 찾지 못했지만 프로브는 실패했습니다({detail})'],
    text: ['Something nslab does not model decided: see the observed drops and counters.', 'nslab이 모델링하지 않는 무언가가 결정했습니다: 관찰된 드롭과 카운터를 보세요.'],
  },
  'disagree.sim-fail': {
    title: ['the simulation says it fails, but the probe got through ({detail})', '시뮬레이션은 실패라고 하지만 프로브는 통과했습니다({detail})'],
    text: ['The first failure above may be a misreading; the observation wins.', '위의 첫 실패는 잘못 읽은 것일 수 있습니다. 관찰 결과가 우선입니다.'],
  },
} as const satisfies Record<string, Message>;

export type WhyMessageKey = keyof typeof WHY_MESSAGES;
export type WhyParams = Record<string, string | number>;

const fill = (template: string, params: WhyParams): string => template.replace(/\{(\w+)\}/g, (m, k: string) => (params[k] === undefined ? m : String(params[k])));

export function renderWhy(key: WhyMessageKey, params: WhyParams): { title: { en: string; ko: string }; explanation: { en: string; ko: string } } {
  const m: Message = WHY_MESSAGES[key];
  return {
    title: { en: fill(m.title[0], params), ko: fill(m.title[1], params) },
    explanation: { en: fill(m.text[0], params), ko: fill(m.text[1], params) },
  };
}
