// A CNI lab → kind: a cluster config with kind's own CNI turned off, plus manifests that rebuild the lab's
// idea on Kubernetes: the reference `bridge` CNI plugin (a Linux bridge per node, a veth per pod, host-local
// addresses — what the lab builds by hand), installed on every node by a DaemonSet, and one pod per lab
// namespace so the same ping works between pods.
import { stringify } from 'yaml';
import type { TopologySpec } from '../shared/contract/topology-spec.js';

export interface KindExport {
  config: string;
  manifests: string;
  notCarried: string[];
}

/** The lab's first bridge and its subnet, or nslab's default lab subnet. */
function bridgeOf(spec: TopologySpec): { name: string; subnet: string; gateway?: string } {
  for (const n of spec.nodes)
    for (const b of n.bridges) {
      const a = b.addresses.find((x) => x.includes('.'));
      if (a) {
        const [ip, len] = a.split('/') as [string, string];
        const o = ip.split('.').map(Number);
        const bits = Number(len);
        const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
        const net = (((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0) & mask;
        return { name: b.name, subnet: `${[net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join('.')}/${bits}`, gateway: ip };
      }
      return { name: b.name, subnet: '10.244.0.0/16' };
    }
  return { name: 'cni0', subnet: '10.244.0.0/16' };
}

export function labToKind(id: string, spec: TopologySpec, notCarried: string[] = []): KindExport {
  const br = bridgeOf(spec);
  const pods = spec.nodes.filter((n) => !n.bridges.length).map((n) => n.name.toLowerCase().replace(/[^a-z0-9-]/g, '-'));
  const workers = Math.max(1, Math.min(2, pods.length - 1));
  const config = {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: `nslab-${id}`.toLowerCase().slice(0, 40),
    networking: { disableDefaultCNI: true, podSubnet: br.subnet, serviceSubnet: '10.96.0.0/16' },
    nodes: [{ role: 'control-plane' }, ...Array.from({ length: workers }, () => ({ role: 'worker' }))],
  };
  const conflist = {
    cniVersion: '1.0.0',
    name: `nslab-${id}`,
    plugins: [
      {
        type: 'bridge',
        bridge: br.name,
        isGateway: true,
        ipMasq: true,
        // host-local per node: each node gets its own slice of the pod subnet from kube-controller-manager
        ipam: { type: 'host-local', ranges: [[{ subnet: 'usePodCidr' }]], routes: [{ dst: '0.0.0.0/0' }] },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  const docs: unknown[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nslab-cni', namespace: 'kube-system' }, data: { '10-nslab.conflist': JSON.stringify(conflist, null, 2) } },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'nslab-cni-install', namespace: 'kube-system', labels: { app: 'nslab-cni' } },
      spec: {
        selector: { matchLabels: { app: 'nslab-cni' } },
        template: {
          metadata: { labels: { app: 'nslab-cni' } },
          spec: {
            hostNetwork: true,
            tolerations: [{ operator: 'Exists' }],
            containers: [
              {
                name: 'install',
                image: 'busybox:1.36',
                // kind's node image ships the reference plugins in /opt/cni/bin; the pod CIDR is per node
                command: ['sh', '-c', 'sed "s#usePodCidr#$POD_CIDR#" /cfg/10-nslab.conflist > /host/etc/cni/net.d/10-nslab.conflist && sleep infinity'],
                env: [{ name: 'POD_CIDR', valueFrom: { fieldRef: { fieldPath: 'spec.podCIDR' } } }],
                volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }, { name: 'netd', mountPath: '/host/etc/cni/net.d' }],
              },
            ],
            volumes: [{ name: 'cfg', configMap: { name: 'nslab-cni' } }, { name: 'netd', hostPath: { path: '/etc/cni/net.d' } }],
          },
        },
      },
    },
    ...pods.map((p) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: p, labels: { 'nslab.lab': id, 'nslab.node': p } },
      spec: { containers: [{ name: p, image: 'alpine:3.20', command: ['sleep', 'infinity'] }] },
    })),
  ];
  for (const n of spec.nodes) {
    if (n.routes.length) notCarried.push(`node ${n.name}: routes (Kubernetes pods get their routes from the CNI plugin)`);
    if (n.forwarding) notCarried.push(`node ${n.name}: forwarding (the bridge plugin turns it on for the node itself)`);
  }
  if (spec.nodes.filter((n) => n.bridges.length).length > 1) notCarried.push('more than one bridge: kind gets one CNI network, on the first bridge');
  notCarried.push('fixed addresses: pods get host-local addresses from the pod subnet, not the lab\'s');
  return {
    config: `# kind cluster for nslab lab ${id}: kind's CNI off so nslab's bridge CNI can be installed.\n# kind create cluster --config kind-config.yaml && kubectl apply -f manifests.yaml\n${stringify(config)}`,
    manifests: docs.map((d) => stringify(d)).join('---\n'),
    notCarried,
  };
}
