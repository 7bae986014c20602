// The terminal's renderer choice: WebGL on a GPU where the addon loads; DOM when it cannot, on software GL
// (unless WebGL is asked for), when the user forces DOM, and for good once the WebGL context is lost.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Terminal } from '@xterm/xterm';

const addons: { disposed: boolean; lose: () => void }[] = [];
vi.mock('@xterm/addon-webgl', () => ({
  WebglAddon: class {
    private lost: (() => void)[] = [];
    readonly state = { disposed: false, lose: () => this.lost.forEach((l) => l()) };
    constructor() {
      addons.push(this.state);
    }
    onContextLoss(l: () => void) {
      this.lost.push(l);
      return { dispose: () => undefined };
    }
    activate() {}
    dispose() {
      this.state.disposed = true;
    }
  },
}));

const { GpuRenderer } = await import('../../renderer/src/terminal/gpu');

function fakeTerm(webgl: boolean): Terminal {
  return {
    loadAddon: () => {
      if (!webgl) throw new Error('WebGL2 not supported');
    },
  } as unknown as Terminal;
}

describe('GpuRenderer', () => {
  beforeEach(() => void addons.splice(0));

  it('uses WebGL where it loads, and DOM when forced (the addon disposed)', () => {
    const seen: string[] = [];
    const gpu = new GpuRenderer(fakeTerm(true), (a) => seen.push(a), () => true);
    gpu.apply('auto');
    expect(gpu.active).toBe('webgl');
    gpu.apply('dom');
    expect(gpu.active).toBe('dom');
    expect(addons[0]!.disposed).toBe(true);
    gpu.apply('auto');
    expect(gpu.active).toBe('webgl');
    expect(seen).toEqual(['webgl', 'dom', 'webgl']);
  });

  it('falls back to DOM when no WebGL2 context can be made', () => {
    const gpu = new GpuRenderer(fakeTerm(false), () => undefined, () => true);
    gpu.apply('auto');
    expect(gpu.active).toBe('dom');
    gpu.apply('webgl');
    expect(gpu.active).toBe('dom');
  });

  it('keeps DOM on software GL for auto, and uses WebGL there when asked to', () => {
    const gpu = new GpuRenderer(fakeTerm(true), () => undefined, () => false);
    gpu.apply('auto');
    expect(gpu.active).toBe('dom');
    expect(addons).toHaveLength(0);
    gpu.apply('webgl');
    expect(gpu.active).toBe('webgl');
  });

  it('stays on DOM after the context is lost, even when asked for WebGL again', () => {
    const gpu = new GpuRenderer(fakeTerm(true), () => undefined, () => true);
    gpu.apply('auto');
    addons[0]!.lose();
    expect(gpu.active).toBe('dom');
    expect(addons[0]!.disposed).toBe(true);
    gpu.apply('webgl');
    expect(gpu.active).toBe('dom');
    expect(addons).toHaveLength(1);
  });
});
