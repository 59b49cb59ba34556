// The test agent (agent-child.ts) bundled once with esbuild, so that each start under a test's
// supervisor is a plain Node start rather than a TypeScript compile.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const NODE_MODULES = fileURLToPath(new URL('../../../../node_modules', import.meta.url));
export const PAGES_DIR = fileURLToPath(new URL('../../../../app/dist', import.meta.url));

export async function bundleAgentChild(outDir: string): Promise<string> {
  const outfile = join(outDir, 'agent-child.cjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./agent-child.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    external: [
      'better-sqlite3',
      'bufferutil',
      'utf-8-validate',
      'node-hid',
      'serialport',
      '@serialport/*',
      'electron',
    ],
    // The bundle is CommonJS: import.meta.url becomes the bundle's own file URL.
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'silent',
  });
  return outfile;
}
