// Lint, including the layering rule from DESIGN.md (like VS Code's code-layering): each layer may import
// only the layers listed for it.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import { readdirSync } from 'node:fs';

// Only electron/helper/exec/ spawns programs (main launches the helper itself, see main/).
const SPAWN = ['node:child_process', 'child_process'];

// Module names (`electron`, `node:fs`) are matched exactly; folder patterns (`**/helper/**`) as globs. A
// bare `electron` pattern would also match the path `../electron/shared/…`, hence the split.
const isModule = (entry) => !entry.includes('*') && !entry.includes('/');
const layer = (name, forbidden, extra = {}) => ({
  files: [`${name}/**/*.{ts,vue}`],
  ...extra,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: forbidden.filter(isModule).map((mod) => ({ name: mod, message: `layering (DESIGN.md): ${name} must not import ${mod}` })),
        patterns: forbidden
          .filter((entry) => !isModule(entry))
          .map((group) => ({ group: [group], message: `layering (DESIGN.md): ${name} must not import ${group}` })),
      },
    ],
  },
});

const NODE = ['node:*', 'fs', 'path', 'child_process', 'os', 'net'];

// The helper's floors (DESIGN.md): a feature folder uses another feature's services, never its RPC face
// (`handlers.ts`, composed only by core.ts); exec/ and procfs.ts are the ground floor and import no feature.
const HELPER_OUTSIDE = [...SPAWN, 'electron', '**/main/**', '**/preload/**', '**/cli/**', '**/web/**', '**/renderer/**'];
const FEATURES = readdirSync(new URL('./electron/helper/', import.meta.url), { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== 'exec')
  .map((e) => e.name);
const OTHER_HANDLERS = ['../*/handlers', '../*/handlers.js'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'tests/e2e/output/**', 'tests/bench/results/**', 'renderer/dist/**', '.nslab-state/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // The Vue renderer: .vue files through vue-eslint-parser with TypeScript in <script setup lang="ts">.
  ...pluginVue.configs['flat/essential'],
  { files: ['**/*.vue'], languageOptions: { parserOptions: { parser: tseslint.parser } } },
  { files: ['renderer/**/*.{ts,vue}', 'tests/renderer/**/*.ts'], languageOptions: { globals: { ...globals.browser } } },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-properties': ['error', { object: 'child_process', property: 'exec', message: 'no shell strings: use helper/exec/' }],
    },
  },
  // shared: runtime-free, imports nothing runtime-specific
  layer('electron/shared', [...NODE, 'electron', '**/helper/**', '**/main/**', '**/preload/**', '**/cli/**', '**/web/**', '**/renderer/**']),
  layer('electron/helper', HELPER_OUTSIDE, { ignores: ['electron/helper/exec/**'] }),
  layer('electron/helper/*', [...HELPER_OUTSIDE, ...OTHER_HANDLERS], { ignores: ['electron/helper/exec/**'] }),
  layer('electron/helper/exec', [...HELPER_OUTSIDE.filter((m) => !SPAWN.includes(m)), ...FEATURES.map((f) => `../${f}/**`)]),
  layer('electron/helper/procfs.ts', [...HELPER_OUTSIDE, ...FEATURES.map((f) => `./${f}/**`), './exec/**'], { files: ['electron/helper/procfs.ts'] }),
  layer('electron/web', [...SPAWN, 'electron', '**/main/**', '**/preload/**', '**/cli/**', '**/renderer/**', '**/helper/**']),
  layer('electron/cli', [...SPAWN, 'electron', '**/main/**', '**/preload/**', '**/renderer/**']),
  layer('electron/main', ['**/helper/**', '**/preload/**', '**/cli/**', '**/web/**', '**/renderer/**']),
  layer('electron/preload', [...NODE, '**/helper/**', '**/main/**', '**/cli/**', '**/web/**', '**/renderer/**']),
  // renderer/vite.config.ts is the bundle's build configuration: it runs in Node, not in the renderer.
  layer('renderer', [...NODE, 'electron', '**/helper/**', '**/main/**', '**/preload/**', '**/cli/**', '**/web/**'], { ignores: ['renderer/vite.config.ts'] }),
  // Inside the renderer: state (stores) and terminal plumbing (terminal/) never reach up into the views.
  layer('renderer/src/stores', [...NODE, 'electron', '**/helper/**', '**/main/**', '**/preload/**', '**/cli/**', '**/web/**', '**/panels/**', '**/components/**']),
  layer('renderer/src/terminal', [...NODE, 'electron', '**/helper/**', '**/main/**', '**/preload/**', '**/cli/**', '**/web/**', '**/panels/**', '**/components/**', '**/stores/**']),
);
