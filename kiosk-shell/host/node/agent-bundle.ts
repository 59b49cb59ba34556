// Bundles the Chromium variant's kiosk agent (agent-cli.ts) with esbuild into one CommonJS file,
// kiosk-shell/host/dist/agent-cli.cjs, which the systemd unit runs with plain `node`: at every start
// tsx would otherwise transpile about a hundred TypeScript files before the agent could begin
// (≈ 0.5 s of the cold start on a quiet 2-core machine, more on a busy one, and ≈ 30 MB of the
// agent's memory for the transpiler). Built by `npm run build --workspace kiosk-shell`. The native
// modules stay outside and load from the checkout's node_modules; the bundle sits at the same depth
// as the sources, so the paths the code takes from its own location (the pages, the Electron bundle)
// are the same.
import { build, type BuildOptions } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Where `npm run build --workspace kiosk-shell` writes the agent; the Chromium unit runs it. */
export const AGENT_BUNDLE = join(here, '..', 'dist', 'agent-cli.cjs');
const AGENT_ENTRY = join(here, 'agent-cli.ts');

/** Native modules (the agenda's SQLite, the handset's HID and serial bindings) and ws's optional ones. */
export const AGENT_EXTERNALS = [
  'better-sqlite3',
  'node-hid',
  'serialport',
  '@serialport/*',
  'bufferutil',
  'utf-8-validate',
  // Only located (require.resolve through the electron package), never loaded, by the launcher.
  'electron',
];

/**
 * The esbuild options of an agent bundle from `entry` (the bench bundles its own entry the same way).
 * `import.meta.url` becomes the bundle's own file URL, which CommonJS lacks.
 */
export function agentBundleOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // Node 20 and later (the package.json engines); Debian's node on the totem.
    target: 'node20',
    external: AGENT_EXTERNALS,
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    // Whitespace and syntax only: a third less code for V8 to read at each start (≈ 70 ms on a busy
    // 2-core machine, 2 MB of heap), while the names in a stack trace in the journal stay readable;
    // the linked source map leads from a bundle line back to the TypeScript source.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  };
}

export async function buildKioskAgent(outfile: string = AGENT_BUNDLE): Promise<string> {
  await build(agentBundleOptions(AGENT_ENTRY, outfile));
  return outfile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const file = await buildKioskAgent();
  console.log(`built ${file} in ${Math.round(performance.now() - started)} ms`);
}
