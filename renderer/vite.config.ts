// The renderer bundle, served by Electron main on nslab://app and by `nslab serve` over HTTP. Built from the
// repository root (scripts/build.mjs): `root` and `outDir` are relative to it. CSP-friendly: no inline
// scripts (Vite emits <script type="module" src>), templates precompiled, vue-i18n's message compiler
// without eval, zod in jitless mode (src/boot.ts), relative asset URLs so both origins work.
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Compile-time flags of Vue and vue-i18n (runtime-only builds, no devtools, no legacy API). */
export const rendererDefines = {
  __VUE_OPTIONS_API__: 'false',
  __VUE_PROD_DEVTOOLS__: 'false',
  __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  __VUE_I18N_FULL_INSTALL__: 'false',
  __VUE_I18N_LEGACY_API__: 'false',
  __INTLIFY_PROD_DEVTOOLS__: 'false',
  __INTLIFY_DROP_MESSAGE_COMPILER__: 'false',
};

/** `@shared/…` is electron/shared (the contract, errors, validators): the same alias in renderer/tsconfig.json. */
export const rendererAlias = { '@shared': fileURLToPath(new URL('../electron/shared', import.meta.url)) };

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [vue()],
  resolve: { alias: rendererAlias },
  define: rendererDefines,
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    sourcemap: true,
    modulePreload: { polyfill: false },
    target: 'chrome120',
    chunkSizeWarningLimit: 2000,
  },
  logLevel: 'warn',
});
