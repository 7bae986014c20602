// metrics.* methods → the sampler (started on first use, so a helper nobody watches samples nothing).
import type { Handlers } from '../rpc/dispatcher.js';
import { machineBackend } from '../cgroup/detect.js';
import { Sampler } from './sampler.js';

type MetricsMethods = Extract<keyof Handlers, `metrics.${string}`>;

export function metricsHandlers(sampler = new Sampler(machineBackend().backend)): { handlers: Pick<Handlers, MetricsMethods>; sampler: Sampler } {
  return {
    sampler,
    handlers: {
      'metrics.config': async ({ interval }) => {
        if (interval !== undefined) sampler.setInterval(interval);
        return sampler.config();
      },
      'metrics.series': async () => {
        if (!sampler.running) sampler.start();
        return { series: sampler.list() };
      },
      'metrics.snapshot': async () => sampler.snapshot(),
      'metrics.subscribe': async ({ series }, call) => {
        // Subscribing to series is subscribing to their event: no separate events.subscribe.
        call.subscribe(['metrics.sample']);
        const { series: subscribed, added } = sampler.subscribe(call.client, series);
        if (added) call.client.onClose(() => sampler.unsubscribe(call.client.id, ['*']));
        return { series: subscribed, interval: sampler.interval };
      },
      'metrics.unsubscribe': async ({ series }, call) => ({ series: sampler.unsubscribe(call.client.id, series) }),
      'metrics.history': async ({ series, since }) => sampler.history(series, since),
    },
  };
}
