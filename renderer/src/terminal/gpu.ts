// xterm's WebGL renderer where the GPU (or the browser's software GL) allows it, the DOM renderer otherwise:
// loading fails without a WebGL2 context, and a context lost later (driver reset, too many contexts) drops
// back to DOM for the rest of the screen's life. The DOM renderer is xterm's own default, so "fallback" is
// simply not having the addon loaded.
import { WebglAddon } from '@xterm/addon-webgl';
import type { Terminal } from '@xterm/xterm';

/** What the user chose: WebGL when it works, or DOM always. */
export type RendererChoice = 'auto' | 'dom';
/** What a screen draws with right now. */
export type ActiveRenderer = 'webgl' | 'dom';

export const isRendererChoice = (v: unknown): v is RendererChoice => v === 'auto' || v === 'dom';

export class GpuRenderer {
  private addon: WebglAddon | null = null;
  /** Set once a context was lost: this screen stays on DOM (a lost context tends to be lost again). */
  private lost = false;

  constructor(
    private readonly term: Terminal,
    private readonly changed: (active: ActiveRenderer) => void,
  ) {}

  get active(): ActiveRenderer {
    return this.addon ? 'webgl' : 'dom';
  }

  /** Applies `choice` to an opened terminal. */
  apply(choice: RendererChoice): void {
    if (choice === 'dom' || this.lost) return this.drop();
    if (this.addon) return;
    try {
      const addon = new WebglAddon();
      addon.onContextLoss(() => {
        this.lost = true;
        this.drop();
      });
      this.term.loadAddon(addon);
      this.addon = addon;
    } catch {
      // no WebGL2 here (no GPU, blocked, or software GL turned off): xterm keeps its DOM renderer
      this.addon = null;
    }
    this.changed(this.active);
  }

  drop(): void {
    if (this.addon) {
      const addon = this.addon;
      this.addon = null;
      try {
        addon.dispose();
      } catch {
        // disposing after a lost context may throw inside xterm; the DOM renderer is back either way
      }
    }
    this.changed(this.active);
  }
}
