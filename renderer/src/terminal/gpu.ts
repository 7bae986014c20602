// xterm's WebGL renderer where a GPU allows it, the DOM renderer otherwise: loading fails without a WebGL2
// context, and a context lost later (driver reset, too many contexts) drops back to DOM for the rest of the
// screen's life. A software GL (SwiftShader, llvmpipe: what a browser offers without a GPU) counts as no GPU
// for 'auto' — measured here, xterm's WebGL on SwiftShader drew a flood at a fifth of the DOM renderer's
// speed (tests/bench/terminals-browser.bench.mjs); 'webgl' uses it anyway. The DOM renderer is xterm's own
// default, so "fallback" is simply not having the addon loaded.
import { WebglAddon } from '@xterm/addon-webgl';
import type { Terminal } from '@xterm/xterm';

import type { ActiveRenderer, RendererChoice } from './rendererChoice';

export { RENDERER_CHOICES, isRendererChoice, type ActiveRenderer, type RendererChoice } from './rendererChoice';

const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|lavapipe|software/i;
let gpuVerdict: boolean | null = null;

/** Whether the browser's WebGL2 runs on a GPU (asked once: a throwaway context, then released). */
export function hardwareGl(): boolean {
  if (gpuVerdict !== null) return gpuVerdict;
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return (gpuVerdict = false);
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    gpuVerdict = !SOFTWARE_GL.test(name);
  } catch {
    gpuVerdict = false;
  }
  return gpuVerdict;
}

export class GpuRenderer {
  private addon: WebglAddon | null = null;
  /** Set once a context was lost: this screen stays on DOM (a lost context tends to be lost again). */
  private lost = false;

  constructor(
    private readonly term: Terminal,
    private readonly changed: (active: ActiveRenderer) => void,
    private readonly onGpu: () => boolean = hardwareGl,
  ) {}

  get active(): ActiveRenderer {
    return this.addon ? 'webgl' : 'dom';
  }

  /** Applies `choice` to an opened terminal. */
  apply(choice: RendererChoice): void {
    if (choice === 'dom' || this.lost || (choice === 'auto' && !this.onGpu())) return this.drop();
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
