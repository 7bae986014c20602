// What the applied topologies say the kernel should look like: which namespace each veth end belongs in,
// its addresses and bridge, each node's routes. The diagnoser compares against it to name the right cause
// (a peer in the wrong namespace, the address that is missing) and to build a fix that restores it.
import type { RouteSpec, TopologySpec } from '../../shared/contract/index.js';
import type { AppliedTopologies } from '../context.js';
import { parseTopology } from '../topology/load.js';

export interface ExpectedEnd {
  node: string;
  name: string;
  addresses: string[];
  master?: string;
  peer: { node: string; name: string };
}

export class Expectations {
  private ends = new Map<string, ExpectedEnd>();
  private routes = new Map<string, RouteSpec[]>();
  private bridges = new Map<string, { name: string; addresses: string[] }[]>();

  static read(topologies: AppliedTopologies): Expectations {
    const e = new Expectations();
    for (const { name } of topologies.list()) {
      const yaml = topologies.load(name);
      if (!yaml) continue;
      let spec: TopologySpec;
      try {
        spec = parseTopology(yaml, name);
      } catch {
        continue;
      }
      e.add(spec);
    }
    return e;
  }

  add(spec: TopologySpec): void {
    for (const n of spec.nodes) {
      this.routes.set(n.name, n.routes);
      this.bridges.set(n.name, n.bridges.map((b) => ({ name: b.name, addresses: b.addresses })));
    }
    for (const l of spec.links) {
      // A tunnel end has no peer in a namespace to be misplaced into; the diagnoser reads it from the kernel.
      if (l.kind !== 'veth') continue;
      const [a, b] = l.endpoints;
      const end = (x: typeof a, y: typeof b): ExpectedEnd => ({ node: x.node, name: x.name, addresses: x.addresses, ...(x.master ? { master: x.master } : {}), peer: { node: y.node, name: y.name } });
      this.ends.set(`${a.node}/${a.name}`, end(a, b));
      this.ends.set(`${b.node}/${b.name}`, end(b, a));
    }
  }

  end(node: string, name: string): ExpectedEnd | undefined {
    return this.ends.get(`${node}/${name}`);
  }

  /** The end the topology gives this address to (a veth end or a bridge). */
  holderOf(ip: string): { node: string; name: string; cidr: string } | null {
    for (const e of this.ends.values()) {
      const cidr = e.addresses.find((a) => a.split('/')[0] === ip);
      if (cidr) return { node: e.node, name: e.name, cidr };
    }
    for (const [node, list] of this.bridges) {
      for (const b of list) {
        const cidr = b.addresses.find((a) => a.split('/')[0] === ip);
        if (cidr) return { node, name: b.name, cidr };
      }
    }
    return null;
  }

  /** The veth ends the topology gives a node. */
  endsOf(node: string): ExpectedEnd[] {
    return [...this.ends.values()].filter((e) => e.node === node);
  }

  routesOf(node: string): RouteSpec[] {
    return this.routes.get(node) ?? [];
  }
}
