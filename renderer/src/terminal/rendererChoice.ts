// The terminal renderer setting, apart from gpu.ts so the stores can read it without loading xterm's WebGL addon.

/** What the user chose: WebGL on a GPU (else DOM), DOM always, or WebGL wherever a context can be made. */
export type RendererChoice = 'auto' | 'dom' | 'webgl';
export const RENDERER_CHOICES: readonly RendererChoice[] = ['auto', 'dom', 'webgl'];
/** What a screen draws with right now. */
export type ActiveRenderer = 'webgl' | 'dom';

export const isRendererChoice = (v: unknown): v is RendererChoice => (RENDERER_CHOICES as readonly unknown[]).includes(v);
