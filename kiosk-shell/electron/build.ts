// Bundles Electron main and the preload with esbuild into electron/dist (`npm run build --workspace
// kiosk-shell`). Main is one CommonJS file for Electron's Node with only Electron and native modules
// left outside; the preload is one CommonJS file that requires nothing but 'electron', because a
// sandboxed preload cannot load anything else.
import { build, type BuildOptions } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Where `npm run build` writes the bundles; kiosk-shell/package.json "main" points into it. */
export const DEFAULT_OUT_DIR = join(here, 'dist');
export const MAIN_BUNDLE = 'main.cjs';
export const PRELOAD_BUNDLE = 'preload.cjs';
/** Modules with native code: loaded from node_modules at run time, unpacked from the asar archive. */
// serialport and node-hid are the handset's native bindings (devices/); better-sqlite3 the agenda.
export const NATIVE_MODULES = ['better-sqlite3', '@serialport/bindings-cpp', 'node-hid'];
/** ws loads these optional native accelerators when present; the kiosk does without them. */
const OPTIONAL_MODULES = ['bufferutil', 'utf-8-validate'];

/** Electron 39 ships Node 22 and Chromium 142. */
const common: BuildOptions = {
  bundle: true,
  format: 'cjs',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
};

export interface BuildResult {
  mainFile: string;
  preloadFile: string;
}

export async function buildKioskShell(outDir: string = DEFAULT_OUT_DIR): Promise<BuildResult> {
  const mainFile = join(outDir, MAIN_BUNDLE);
  const preloadFile = join(outDir, PRELOAD_BUNDLE);
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(here, 'electron-main', 'main.ts')],
      outfile: mainFile,
      platform: 'node',
      target: 'node22',
      external: ['electron', ...NATIVE_MODULES, ...OPTIONAL_MODULES],
    }),
    build({
      ...common,
      entryPoints: [join(here, 'preload', 'preload.ts')],
      outfile: preloadFile,
      // The sandboxed preload has no Node: any Node module pulled in must fail the build, not the totem.
      platform: 'browser',
      target: 'chrome142',
      external: ['electron'],
    }),
  ]);
  return { mainFile, preloadFile };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const { mainFile, preloadFile } = await buildKioskShell();
  console.log(`built ${mainFile} and ${preloadFile} in ${Math.round(performance.now() - started)} ms`);
}
