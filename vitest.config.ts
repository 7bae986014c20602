import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';
import { rendererDefines } from './renderer/vite.config.js';

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        // Stores and components of the Vue renderer, in happy-dom.
        plugins: [vue()],
        define: rendererDefines,
        test: { name: 'renderer', include: ['tests/renderer/**/*.test.ts'], environment: 'happy-dom' },
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
