import { describe, expect, it } from 'vitest';
import { labPrograms, onPath } from '../../electron/helper/doctor/lab-programs.js';
import { loadLabs } from '../../electron/helper/labs/catalogue.js';

describe('doctor: the programs labs use', () => {
  it('are read from the shipped lab files: commands, workloads and probes', () => {
    const programs = labPrograms(loadLabs().map((l) => l.lab));
    // every ping probe (and the commands around it) needs ping
    expect(programs.get('ping')).toEqual(expect.arrayContaining(['netns-veth', 'netns-bridge', 'ping-failed']));
    // the memory lab's workloads run stress-ng
    expect(programs.get('stress-ng')).toContain('cgroup-memory');
    // tcp/udp probes run busybox nc
    expect([...programs.keys()]).toEqual([...programs.keys()].sort());
    // a program no lab mentions is not checked
    for (const [program, labs] of programs) expect(labs.length, program).toBeGreaterThan(0);
  });

  it('finds a program on PATH, and says null for one that is not there', () => {
    expect(onPath('sh', '/bin:/usr/bin')).toMatch(/\/sh$/);
    expect(onPath('no-such-program-nslab', '/bin')).toBeNull();
  });
});
