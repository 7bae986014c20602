import { describe, expect, it, vi } from 'vitest';
import { parseNetDev } from '../../electron/helper/metrics/net.js';
import { Ring } from '../../electron/helper/metrics/ring.js';
import { metricsHandlers } from '../../electron/helper/metrics/handlers.js';
import { ratesOf, type Sampler } from '../../electron/helper/metrics/sampler.js';
import { SeriesId, seriesId } from '../../electron/shared/contract/metrics.js';

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
nslab-a:    1500      12    1    2    0     0          0         0     3000      24    3    4    0     0       0          0
`;

describe('metrics', () => {
  it('parses /proc/net/dev', () => {
    const m = parseNetDev(NET_DEV, (n) => n !== 'lo');
    expect([...m.keys()]).toEqual(['nslab-a']);
    expect(m.get('nslab-a')).toEqual({ rxBytes: 1500, rxPackets: 12, rxErrors: 1, rxDrops: 2, txBytes: 3000, txPackets: 24, txErrors: 3, txDrops: 4 });
  });
  it('keeps the newest samples in a ring, columnar, null for no value', () => {
    const r = new Ring(3, ['a', 'b']);
    for (let i = 1; i <= 5; i++) r.push(i * 1000, { a: i, b: i % 2 ? null : i });
    expect(r.since()).toEqual({ t: [3000, 4000, 5000], values: { a: [3, 4, 5], b: [null, 4, null] } });
    expect(r.since(4000)).toEqual({ t: [5000], values: { a: [5], b: [null] } });
    expect(r.resized(2).since()).toEqual({ t: [4000, 5000], values: { a: [4, 5], b: [4, null] } });
  });
  it('computes per-second rates; a counter that went back (group re-made) gives null, not a negative rate', () => {
    const prev = { t: 0, values: { cpuNs: 0, throttledNs: 0, nrThrottled: 0 } };
    expect(ratesOf('cgroup', prev, { t: 2000, values: { cpuNs: 1e9, throttledNs: 2e8, nrThrottled: 10 } })).toEqual({ cpuPercent: 50, throttledPercent: 10, throttlesPerSecond: 5 });
    expect(ratesOf('cgroup', { t: 0, values: { cpuNs: 5e9 } }, { t: 1000, values: { cpuNs: 1 } }).cpuPercent).toBeNull();
    expect(ratesOf('net', null, { t: 1000, values: { rxBytes: 5 } }).rxBps).toBeNull();
  });
  it('builds every series id in one place, in the form the contract accepts', () => {
    const ids = [seriesId('cgroup', 'web'), seriesId('net', 'nslab-red', 'eth0'), seriesId('net', 'host', 'nslab-br0')];
    expect(ids).toEqual(['cgroup:nslab/web', 'net:nslab-red:eth0', 'net:host:nslab-br0']);
    for (const id of ids) expect(SeriesId.safeParse(id).success).toBe(true);
  });
  it('metrics.subscribe alone starts delivery: the connection is subscribed to metrics.sample', async () => {
    // A sampler double: this test is about the handler, not the kernel.
    const sampler = { interval: 1000, subscribe: vi.fn(() => ({ series: ['cgroup:nslab/web'], added: false })) } as unknown as Sampler;
    const { handlers } = metricsHandlers(sampler);
    const subscribe = vi.fn();
    const client = { id: 'c1', notify: vi.fn(), onClose: vi.fn() };
    const result = await handlers['metrics.subscribe']({ series: ['cgroup:nslab/web'] }, { signal: new AbortController().signal, client, subscribe, unsubscribe: vi.fn() });
    expect(result).toEqual({ series: ['cgroup:nslab/web'], interval: 1000 });
    expect(subscribe).toHaveBeenCalledWith(['metrics.sample']);
    expect(sampler.subscribe).toHaveBeenCalledWith(client, ['cgroup:nslab/web']);
  });
});
