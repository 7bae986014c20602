// The rule generator against the goldens in tests/fixtures/dockernet (see its README for how they were made).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dockerRules, type BridgeNetwork, type Engine } from '../../electron/helper/dockernet/rules.js';
import { normalizeSave, toIptablesSave } from '../../electron/helper/dockernet/save-format.js';

const golden = (name: string): string => normalizeSave(readFileSync(new URL(`../fixtures/dockernet/${name}.txt`, import.meta.url), 'utf8'));
const generated = (engine: Engine, networks: BridgeNetwork[]): string => normalizeSave(toIptablesSave(dockerRules({ engine, networks })));

const docker0 = (ports: BridgeNetwork['ports'] = []): BridgeNetwork => ({ bridge: 'docker0', subnet: '172.17.0.0/16', ports });
const web = (ip: string, hostPort = 8080, containerPort = 80) => ({ proto: 'tcp' as const, hostPort, containerIp: ip, containerPort });

describe('dockerd 20.10 rules (captured from the real daemon)', () => {
  it('a fresh daemon: docker0 only', () => {
    expect(generated('20.10', [docker0()])).toBe(golden('docker-20.10-s0-daemon'));
  });
  it('two containers on docker0, one with -p 8080:80', () => {
    expect(generated('20.10', [docker0([web('172.17.0.2')])])).toBe(golden('docker-20.10-s1-bridge-2c-publish'));
  });
  it('a second user bridge with its own published port', () => {
    const user: BridgeNetwork = { bridge: 'br-nslabnet', subnet: '172.18.0.0/16', ports: [web('172.18.0.2', 9090, 90)] };
    expect(generated('20.10', [docker0([web('172.17.0.2')]), user])).toBe(golden('docker-20.10-s2-two-bridges'));
  });
  it('a golden differs when a rule is missing (the comparison can fail)', () => {
    expect(generated('20.10', [docker0()])).not.toBe(golden('docker-20.10-s1-bridge-2c-publish'));
  });
});

describe('moby 28 rules (moby v28.5.2 documented rulesets)', () => {
  it('docker0 with -p 8080:80', () => {
    expect(generated('28', [docker0([web('172.17.0.2')])])).toBe(golden('docker-28-s1-bridge-publish'));
  });
  it('docker0 and bridge1 with -p 8080:80 on bridge1', () => {
    const bridge1: BridgeNetwork = { bridge: 'bridge1', subnet: '192.0.2.0/24', ports: [web('192.0.2.2')] };
    expect(generated('28', [docker0(), bridge1])).toBe(golden('docker-28-s2-two-bridges'));
  });
});

describe('rule explanations and normal form', () => {
  it('every chain and rule says why Docker made it, in English and Korean', () => {
    for (const engine of ['20.10', '28'] as const) {
      const set = dockerRules({ engine, networks: [docker0([web('172.17.0.2')])] });
      for (const o of [...set.chains, ...set.rules]) {
        expect(o.why.en.length, JSON.stringify(o)).toBeGreaterThan(20);
        expect(o.why.ko.length, JSON.stringify(o)).toBeGreaterThan(10);
        expect(`${o.why.en}${o.why.ko}`, JSON.stringify(o)).not.toMatch(/\{\w+\}/); // every placeholder filled
      }
    }
  });
  it('normal form drops counters, # lines and nslab comments', () => {
    const raw = '# Generated\n*nat\n:DOCKER - [3:180]\n-A DOCKER -i docker0 -m comment --comment nslab:dockernet-dk -j RETURN\nCOMMIT\n';
    expect(normalizeSave(raw)).toBe('*nat\n:DOCKER - [0:0]\n-A DOCKER -i docker0 -j RETURN\nCOMMIT\n');
  });
});
