// Runs @doyensec/electronegativity over a folder, offline, and prints its findings as JSON on stdout.
// The scanner fetches translations and Electron's release list from GitHub whenever it runs; nothing
// may be downloaded at test time, so its HTTP client (`got`) is replaced, before the scanner loads,
// by one that refuses every request, and the release check (the one check that needs the network)
// is not run. Usage: node electronegativity-offline.mjs <folder> <electron version>
import { createRequire } from 'node:module';
import path from 'node:path';

// The scanner is CommonJS, and the stub must sit in the CommonJS module cache it loads from.
const require = createRequire(import.meta.url);

const [input, electronVersion] = process.argv.slice(2);
if (!input || !electronVersion) {
  process.stderr.write('usage: electronegativity-offline.mjs <folder> <electron version>\n');
  process.exit(2);
}
const root = path.dirname(require.resolve('@doyensec/electronegativity/package.json'));
const gotPath = require.resolve('got', { paths: [root] });
const refuse = () => Promise.reject(new Error('network access is disabled for this scan'));
const offline = Object.assign(refuse, { head: refuse, get: refuse, stream: refuse });
require.cache[gotPath] = {
  id: gotPath,
  filename: gotPath,
  loaded: true,
  exports: Object.assign(offline, { default: offline }),
};

// The scanner logs its banner and progress on the console; only the JSON goes to stdout.
const log = console.log;
console.log = (...args) => process.stderr.write(`${args.join(' ')}\n`);
const run = require(path.join(root, 'dist', 'runner.js'));
run({
  input: path.resolve(input),
  isRelative: true,
  electronVersionOverride: electronVersion,
  excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
}).then(
  (result) => {
    const issues = result.issues.map((i) => ({
      id: i.id,
      file: i.file,
      line: i.location.line,
      severity: i.severity.name,
      confidence: i.confidence.name,
      description: i.description,
    }));
    log(JSON.stringify({ checks: result.globalChecks + result.atomicChecks, errors: result.errors, issues }));
  },
  (error) => {
    process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
