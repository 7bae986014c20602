import type uPlot from 'uplot';
import { onBeforeUnmount, watch, type WatchSource } from 'vue';

/**
 * Redraws a uPlot chart at most once per animation frame when `tick` changes: any number of samples
 * between two frames cost one `setData` (and a hidden tab none). Cancels a pending frame on unmount.
 */
export function redrawEachFrame(plot: () => uPlot | null, data: () => uPlot.AlignedData, tick: WatchSource<unknown>): void {
  let frame: number | null = null;
  const redraw = (): void => {
    frame = null;
    plot()?.setData(data());
  };
  watch(tick, () => {
    if (plot() && frame === null) frame = requestAnimationFrame(redraw);
  });
  onBeforeUnmount(() => {
    if (frame !== null) cancelAnimationFrame(frame);
    frame = null;
  });
}
