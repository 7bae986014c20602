import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBus, LINKWATCH_SETTLE_MS, announceTopologyChange } from '../../electron/helper/events.js';

afterEach(() => vi.useRealTimers());

describe('topology change announcements', () => {
  it('announce again once linkwatch has settled carrier state, when the change can move it', () => {
    vi.useFakeTimers();
    const bus = new EventBus();
    const seen: string[] = [];
    bus.listen((_name, payload) => seen.push((payload as { reason: string }).reason));
    announceTopologyChange(bus, 'apply', 'red-blue');
    announceTopologyChange(bus, 'addr-add', null, false);
    expect(seen).toEqual(['apply', 'addr-add']);
    vi.advanceTimersByTime(LINKWATCH_SETTLE_MS);
    expect(seen).toEqual(['apply', 'addr-add', 'apply-settled']);
  });
});
