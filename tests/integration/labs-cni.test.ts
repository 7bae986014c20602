// The cni-plugins lab on the real kernel: each step's checks fail before and pass after its solve (the
// real bridge, host-local and portmap plugins), the export says how to redo it, and `lab down` takes the
// attachments (a CNI DEL each), the leases and the namespaces with it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../electron/shared/contract/index.js';
import { markedNetns, nslab, nslabJson } from '../support/cli.js';
import { ledgerForThisFile } from '../support/cli-file.js';

const state = ledgerForThisFile();
const LAB = 'cni-plugins';

describe('lab cni-plugins', () => {
  it('fails before, passes after each solve, and down leaves no attachment, lease or namespace', async () => {
    await nslabJson(state.dir, ['lab', 'up', LAB, '--json']);
    const first = await nslab(state.dir, ['lab', 'check', LAB]);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/step 1 \(bridge\): .*cni0/);
    const hint = await nslabJson<{ hint: { en: string } | null }>(state.dir, ['lab', 'hint', LAB, '--json']);
    expect(hint.hint?.en).toMatch(/nslab cni add cnilab-c1/);

    expect((await nslab(state.dir, ['lab', 'solve', LAB, '--step', '1'])).code).toBe(0);
    const mid = await nslab(state.dir, ['lab', 'check', LAB]);
    expect(mid.code).toBe(1);
    expect(mid.stderr).toMatch(/step 2 \(portmap\)/);

    const solve = await nslab(state.dir, ['lab', 'solve', LAB, '--json']);
    expect(solve.code, solve.stderr).toBe(0);
    const passing = JSON.parse((await nslab(state.dir, ['lab', 'check', LAB, '--json'])).stdout) as CheckResult;
    expect(passing.ok).toBe(true);

    const ls = await nslabJson<{ attachments: { id: string; result: { ips: { address: string }[] } }[] }>(state.dir, ['cni', 'ls', '--json']);
    expect(ls.attachments.map((a) => [a.id, a.result.ips[0]!.address]).sort()).toEqual([
      ['cnilab.cnilab-c1.eth0', '10.22.0.2/24'],
      ['cnilab.cnilab-c2.eth0', '10.22.0.3/24'],
    ]);
    const exported = await nslab(state.dir, ['lab', 'export', LAB]);
    expect(exported.stdout).toContain('nslab cni add cnilab-c2 --host cnilab-host --config - --publish 8080:80/tcp');

    expect((await nslab(state.dir, ['lab', 'down', LAB])).code).toBe(0);
    expect((await nslabJson<{ attachments: unknown[] }>(state.dir, ['cni', 'ls', '--json'])).attachments).toEqual([]);
    const ipam = join(state.dir, 'cni', 'ipam');
    expect(existsSync(ipam) ? readdirSync(ipam) : []).toEqual([]);
    expect(markedNetns().filter((n) => n.startsWith('nslab-cnilab-'))).toEqual([]);
  });
});
