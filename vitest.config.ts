import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';
import { rendererAlias, rendererDefines } from './renderer/vite.config.js';

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        // Stores and components of the Vue renderer, in happy-dom.
        plugins: [vue()],
        resolve: { alias: rendererAlias },
        define: rendererDefines,
        test: { name: 'renderer', include: ['tests/renderer/**/*.test.ts'], environment: 'happy-dom' },
      },
      {
        // The app in Debian's Chromium against `nslab serve` (real helper, real kernel); needs `npm run build`.
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Integration tests share one kernel: run files one at a time.
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
