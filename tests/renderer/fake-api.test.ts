// The fake Api holds stores and fakes to the contract: each kind of breach is caught and reported.
import { describe, expect, it } from 'vitest';
import { doctorReport, fakeApi, takeViolations } from './fake-api';

describe('fakeApi', () => {
  it('answers a call whose params and result match the contract', async () => {
    const api = fakeApi({ 'system.doctor': () => doctorReport() });
    await expect(api.call('system.doctor', {})).resolves.toMatchObject({ ok: true });
    expect(takeViolations()).toEqual([]);
  });

  it('refuses params the helper would refuse, before the fake runs', async () => {
    let ran = false;
    const api = fakeApi({ 'net.netns.create': () => ((ran = true), { netns: 'nslab-x' }) });
    await expect(api.call('net.netns.create', { node: 'has space' })).rejects.toThrow(/net\.netns\.create params.*node/);
    expect(ran).toBe(false);
    expect(takeViolations()).toHaveLength(1);
  });

  it('refuses a fake result of the wrong shape', async () => {
    const api = fakeApi({ 'system.doctor': () => ({ kernel: '6.18.0' }) });
    await expect(api.call('system.doctor', {})).rejects.toThrow(/system\.doctor fake result.*ok/);
    expect(takeViolations()).toHaveLength(1);
  });

  it('refuses a method the relays refuse', async () => {
    const api = fakeApi({ 'ledger.gc': () => ({ dryRun: true, deleted: [], forgotten: [], unknown: [], failed: [] }) });
    await expect(api.call('ledger.gc', { dryRun: true })).rejects.toThrow(/renderer: false/);
    expect(takeViolations()).toHaveLength(1);
  });

  it('passes a scripted helper error through untouched', async () => {
    const api = fakeApi();
    await expect(api.call('topology.list', {})).rejects.toMatchObject({ code: 'unknown-method' });
    expect(takeViolations()).toEqual([]);
  });
});
