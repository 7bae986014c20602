// `nslab cni diff`: the same container wired by the real bridge+portmap plugins and by the Docker emulator
// (dockernet), compared from what each kernel namespace really holds, in words.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CniDiffLine } from '../../electron/shared/contract/index.js';
import { nslab, nslabJson } from '../support/cli.js';
import { ledgerForThisFile } from '../support/cli-file.js';

const state = ledgerForThisFile();
const work = mkdtempSync(join(tmpdir(), 'nslab-cnidiff-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('cni diff', () => {
  it('sets bridge+portmap beside dockernet for one container with one published port', async () => {
    writeFileSync(join(work, 'topo.yaml'), 'name: cnid\nnodes:\n  - name: cnid-h\n  - name: cnid-c1\n');
    await nslabJson(state.dir, ['topo', 'apply', join(work, 'topo.yaml'), '--json']);
    const conf = join(work, 'net.conflist');
    writeFileSync(
      conf,
      JSON.stringify({
        cniVersion: '1.0.0',
        name: 'cnid',
        plugins: [
          { type: 'bridge', bridge: 'cni0', isGateway: true, ipMasq: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.24.0.0/24' }]], routes: [{ dst: '0.0.0.0/0' }] } },
          { type: 'portmap', capabilities: { portMappings: true } },
        ],
      }),
    );
    await nslabJson(state.dir, ['cni', 'add', 'cnid-c1', '--host', 'cnid-h', '--config', conf, '--publish', '8080:80', '--json']);
    await nslabJson(state.dir, ['rpc', 'dockernet.up', JSON.stringify({ name: 'cnidk', containers: ['c1'], subnet: '172.30.0.0/16', publish: [{ hostPort: 8080, container: 'c1', containerPort: 80 }] })]);
    try {
      const { lines } = await nslabJson<{ lines: CniDiffLine[] }>(state.dir, ['cni', 'diff', 'cnid-c1', '--dockernet', 'cnidk', '--container', 'c1', '--json']);
      const line = (t: CniDiffLine['topic']) => lines.find((l) => l.topic === t)!;
      expect(line('bridge').cni).toEqual(['cni0 10.24.0.1/24']);
      expect(line('bridge').docker).toEqual(['docker0 172.30.0.1/16']);
      expect(line('bridge').words).toMatch(/bridge plugin made cni0 .* dockerd makes docker0/);
      expect(line('address').cni).toEqual(['eth0 10.24.0.2/24']);
      expect(line('address').docker).toEqual(['eth0 172.30.0.2/16']);
      expect(line('route').words).toMatch(/^Both give the container a default route/);
      expect(line('veth').cni[0]).toMatch(/^veth[0-9a-f]{8} \(port of cni0\)$/);
      expect(line('veth').docker[0]).toMatch(/^veth[0-9a-f]{7} \(port of docker0\)$/);
      expect(line('publish').cni.join('\n')).toContain('--to-destination 10.24.0.2:80');
      expect(line('publish').docker.join('\n')).toContain('--to-destination 172.30.0.2:80');
      expect(line('publish').words).toMatch(/^Published ports: both catch/);
      expect(line('nat').docker.join('\n')).toContain('-A POSTROUTING -s 172.30.0.0/16 ! -o docker0 -j MASQUERADE');
      expect(line('nat').cni.join('\n')).toMatch(/-A POSTROUTING -s 10\.24\.0\.2\/32 .*-j CNI-/);
      expect(line('filter').cni).toEqual([]);
      expect(line('filter').docker.join('\n')).toContain('-A FORWARD -j DOCKER-USER');
      expect(line('sysctl').cni).toEqual(['net.ipv4.ip_forward=1']);

      const human = await nslab(state.dir, ['cni', 'diff', 'cnid-c1', '--dockernet', 'cnidk', '--container', 'c1']);
      expect(human.stdout).toMatch(/== publish\n.*\n {2}CNI: {4}-A /);
    } finally {
      await nslab(state.dir, ['rpc', 'dockernet.down', JSON.stringify({ name: 'cnidk' })]);
      await nslab(state.dir, ['cni', 'del', 'cnid-c1']);
      await nslab(state.dir, ['topo', 'destroy', 'cnid']);
    }
  });

  it('says which side is missing', async () => {
    const r = await nslab(state.dir, ['cni', 'diff', 'cnid-c1', '--container', 'c1', '--json']);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('not-found');
  });
});
