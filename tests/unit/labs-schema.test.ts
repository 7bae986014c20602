import { describe, expect, it } from 'vitest';
import { loadLabs, parseLab } from '../../electron/helper/labs/catalogue.js';
import { exportScript } from '../../electron/helper/labs/export.js';
import { pickHint } from '../../electron/helper/labs/runner.js';
import { matchesWords } from '../../electron/helper/labs/probes.js';
import { NslabError } from '../../electron/shared/errors.js';

const shipped = loadLabs();

const minimal = (steps: string): string => `id: bad-lab
level: beginner
minutes: 5
order: 1
topics: [netns]
title: { en: T, ko: 티 }
summary: { en: S, ko: 에스 }
topology:
  nodes:
    - name: x-red
    - name: x-blue
  links:
    - endpoints:
        - { node: x-red, name: eth0, addresses: [10.9.0.1/24] }
        - { node: x-blue, name: eth0, addresses: [10.9.0.2/24] }
steps:
${steps}`;

function refused(yaml: string): NslabError {
  try {
    parseLab(yaml, 'bad-lab.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(NslabError);
    return err as NslabError;
  }
  throw new Error('the lab was accepted');
}

describe('shipped labs', () => {
  it('are all there and valid', () => {
    expect(shipped.map((l) => l.lab.id)).toEqual(expect.arrayContaining(['netns-veth', 'netns-bridge', 'ping-failed', 'netfilter-hooks', 'nat-outside']));
  });

  for (const { lab } of shipped) {
    describe(lab.id, () => {
      it('has English and Korean text for the lab and every step', () => {
        for (const t of [lab.title, lab.summary, ...lab.steps.flatMap((s) => [s.title, s.goal])]) {
          expect(t.en.length).toBeGreaterThan(0);
          expect(t.ko).toMatch(/[\uac00-\ud7a3]/); // Hangul, not a copy of the English
        }
      });
      it('is named lab-<id> for its topology and uses only its own nodes in nslab- namespaces', () => {
        // A dockernet lab runs in its dockernet's own topology (`nslab dockernet show` finds it).
        if (lab.topology) expect(lab.topology.name).toBe(lab.dockernet ? `dockernet-${lab.dockernet.name}` : `lab-${lab.id}`);
      });
      it('has a solution somewhere, and every step can be checked', () => {
        expect(lab.steps.some((s) => s.solve.length > 0)).toBe(true);
        for (const s of lab.steps) expect(s.check.length).toBeGreaterThan(0);
      });
      it('exports a script with no nslab-internal placeholders', () => {
        const script = exportScript(lab);
        expect(script.startsWith('#!/bin/sh\n')).toBe(true);
        expect(script).toContain('set -e');
        expect(script).not.toContain('undefined');
      });
    });
  }

  it('every rule the labs add carries the lab comment in the export', () => {
    const script = exportScript(shipped.find((l) => l.lab.id === 'ping-failed')!.lab);
    expect(script).toContain('ip netns exec nslab-pf-host iptables -t filter -P FORWARD DROP');
    expect(script).toContain('iptables -t filter -A FORWARD -m comment --comment nslab:ping-failed -m physdev --physdev-is-bridged -j ACCEPT');
    for (const line of script.split('\n').filter((l) => / -[AI] /.test(l))) expect(line).toContain('--comment nslab:');
  });
});

describe('bad lab files are rejected with file, line and field', () => {
  it('an unknown probe', () => {
    const e = refused(minimal(`  - id: one
    title: { en: a, ko: 가 }
    goal: { en: a, ko: 가 }
    check:
      - { probe: telepathy, node: x-red }
`));
    expect(e.message).toMatch(/^bad-lab\.yaml:21: steps\.0\.check\.0\.probe: unknown probe/);
    expect(e.message).toContain('unknown probe');
    expect(e.data).toMatchObject({ file: 'bad-lab.yaml', line: 21, field: 'steps.0.check.0.probe' });
  });

  it('a missing field', () => {
    const e = refused(minimal(`  - id: one
    title: { en: a, ko: 가 }
    check:
      - { probe: ping, from: x-red, to: 10.9.0.2 }
`));
    // A missing key points at the map it is missing from: the step, line 16.
    expect(e.data).toMatchObject({ file: 'bad-lab.yaml', line: 17, field: 'steps.0.goal' });
    expect(e.message).toMatch(/^bad-lab\.yaml:17: steps\.0\.goal/);
  });

  it('a step depending on a later step', () => {
    const e = refused(minimal(`  - id: one
    title: { en: a, ko: 가 }
    goal: { en: a, ko: 가 }
    dependsOn: [two]
    check: [{ probe: ping, from: x-red, to: 10.9.0.2 }]
  - id: two
    title: { en: b, ko: 나 }
    goal: { en: b, ko: 나 }
    check: [{ probe: ping, from: x-blue, to: 10.9.0.1 }]
`));
    expect(e.data).toMatchObject({ file: 'bad-lab.yaml', line: 20, field: 'steps.0.dependsOn.0' });
    expect(e.message).toContain("depends on 'two', which comes later");
  });

  it('traffic to an address outside the lab', () => {
    const e = refused(minimal(`  - id: one
    title: { en: a, ko: 가 }
    goal: { en: a, ko: 가 }
    check: [{ probe: ping, from: x-red, to: 8.8.8.8 }]
`));
    expect(e.data.field).toBe('steps.0.check.0.to');
    expect(e.message).toContain('only inside their own namespaces');
  });

  it('a node that is not in the topology, a shell-ish rule word, a bad rpc param', () => {
    const step = (check: string, solve: string): string => minimal(`  - id: one
    title: { en: a, ko: 가 }
    goal: { en: a, ko: 가 }
    check: [${check}]
    solve: [${solve}]
`);
    expect(refused(step('{ probe: sysctl, node: ghost, key: net.ipv4.ip_forward, equals: "1" }', '')).data.field).toBe('steps.0.check.0.node');
    expect(refused(step('{ probe: ping, from: x-red, to: 10.9.0.2 }', '{ firewall: { node: x-red, rules: [{ chain: INPUT, rule: ["-j", "ACCEPT; rm"] }] } }')).data.field).toBe('steps.0.solve.0.firewall.rules.0.rule.1');
    expect(refused(step('{ probe: ping, from: x-red, to: 10.9.0.2 }', '{ rpc: net.addr.add, params: { node: x-red, dev: eth0, address: 10.9.0.9/99 } }')).data.field).toBe('steps.0.solve.0.params.address');
    expect(refused(step('{ probe: ping, from: x-red, to: 10.9.0.2 }', '{ firewall: { node: x-red, rules: [{ chain: INPUT, rule: [-t, nat] }] } }')).message).toContain('must not contain -A/-I/-D/-t');
  });

  it('a YAML syntax error names its line', () => {
    const e = refused('id: x\ntitle: { en: a, ko: b, en: c }\n');
    expect(e.data).toMatchObject({ file: 'bad-lab.yaml', line: 2 });
  });
});

describe('hint selection and rule matching', () => {
  const hints = [
    { probe: 'ping', observed: 'unreachable', text: { en: 'route', ko: '경로' } },
    { probe: 'ping', text: { en: 'ping', ko: '핑' } },
    { text: { en: 'general', ko: '일반' } },
  ];
  const probe = (id: string, observed: string) => ({ id, probe: 'ping', label: '', ok: false, expected: '', observed, where: '' });
  it('prefers the hint matching what the probe observed, then the probe, then the step', () => {
    expect(pickHint(hints, probe('ping', 'ping: connect: Network is unreachable'))?.text.en).toBe('route');
    expect(pickHint(hints, probe('ping', '0/1 replies'))?.text.en).toBe('ping');
    expect(pickHint(hints, probe('other', 'x'))?.text.en).toBe('general');
  });
  it('matches rule words in order', () => {
    expect(matchesWords(['-m', 'physdev', '--physdev-is-bridged', '-j', 'ACCEPT'], ['--physdev-is-bridged', 'ACCEPT'])).toBe(true);
    expect(matchesWords(['-j', 'ACCEPT', '-p', 'icmp'], ['-p', 'icmp', '-j', 'ACCEPT'])).toBe(false);
  });
});

describe('the catalogue in learning order', () => {
  it("starts with the notes' first experiment (RED ⇄ BLUE over veth, beginner); every prerequisite comes earlier", () => {
    const ids = shipped.map((l) => l.lab.id);
    expect(ids[0]).toBe('netns-veth');
    expect(shipped[0]!.lab.level).toBe('beginner');
    expect(shipped.map((l) => l.lab.order)).toEqual([...shipped.map((l) => l.lab.order)].sort((a, b) => a - b));
    for (const { lab } of shipped) for (const req of lab.requires) expect(ids.indexOf(req), `${lab.id} requires ${req}`).toBeLessThan(ids.indexOf(lab.id));
    expect(shipped.find((l) => l.lab.id === 'netns-bridge')!.lab.requires).toEqual(['netns-veth']);
  });
});
