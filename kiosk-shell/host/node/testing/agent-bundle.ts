// The test agent (agent-child.ts) bundled once with esbuild, so that each start under a test's
// supervisor is a plain Node start rather than a TypeScript compile.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { agentBundleOptions } from '../agent-bundle.ts';

export const NODE_MODULES = fileURLToPath(new URL('../../../../node_modules', import.meta.url));
export const PAGES_DIR = fileURLToPath(new URL('../../../../app/dist', import.meta.url));

export async function bundleAgentChild(outDir: string): Promise<string> {
  const outfile = join(outDir, 'agent-child.cjs');
  // Bundled as the unit's agent is (../agent-bundle.ts).
  await build({
    ...agentBundleOptions(fileURLToPath(new URL('./agent-child.ts', import.meta.url)), outfile),
    sourcemap: false,
    logLevel: 'silent',
  });
  return outfile;
}
