// Builds every page into app/dist: kiosk/ (served by the kiosk host or Electron's app://),
// operator/, booking/, fleet/ and admin/ (served by the central server). Relative base so any prefix works.
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { defineConfig } from 'vite';
import { renderPrompts } from './kiosk/node/render-prompts.ts';

const root = import.meta.dirname;
const pages = ['kiosk', 'operator', 'booking', 'fleet', 'admin'].filter((p) =>
  existsSync(resolve(root, p, 'index.html')),
);

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  // The kiosk's spoken prompts, rendered by espeak-ng into dist/kiosk/prompts after each build.
  plugins: [
    {
      name: 'sportello-kiosk-prompts',
      apply: 'build',
      async closeBundle() {
        if (!pages.includes('kiosk')) return;
        const kioskOutDir = resolve(root, 'dist', 'kiosk');
        await renderPrompts({ kioskOutDir, textsDir: resolve(root, 'kiosk', 'common', 'prompts') });
      },
    },
  ],
  css: {
    preprocessorOptions: {
      // bootstrap-italia's Sass (booking/style/kit.scss) still uses @import and global functions;
      // the warnings are about the kit's sources, not ours.
      scss: {
        quietDeps: true,
        silenceDeprecations: [
          'import',
          'global-builtin',
          'color-functions',
          'abs-percent',
          'slash-div',
          'if-function',
        ],
      },
    },
  },
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // zod and mediasoup-client are most of each page; a totem loads the page once from disk.
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: Object.fromEntries(pages.map((p) => [p, resolve(root, p, 'index.html')])),
      onwarn(warning, warn) {
        // zod ships comments that Rollup cannot place; they are harmless.
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
});
