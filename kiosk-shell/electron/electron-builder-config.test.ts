// electron-builder is not installed here (packaging needs internet), so its configuration is
// checked as data: the Debian targets, what goes into the archive, and agreement with the build.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { DEFAULT_OUT_DIR, MAIN_BUNDLE, NATIVE_MODULES, PRELOAD_BUNDLE } from './build.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface BuilderConfig {
  appId: string;
  productName: string;
  electronVersion: string;
  directories: { app: string; output: string };
  extraMetadata: { main: string; name: string };
  files: string[];
  extraResources: { from: string; to: string; filter: string[] }[];
  asar: boolean;
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  linux: {
    target: { target: string; arch: string[] }[];
    category: string;
    maintainer: string;
    executableName: string;
  };
  deb: { depends: string[]; packageCategory: string };
}

const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8'), {
  strict: true,
}) as BuilderConfig;
const appDir = join(root, config.directories.app);
const shellPackage = JSON.parse(readFileSync(join(root, 'kiosk-shell', 'package.json'), 'utf8')) as {
  main: string;
  devDependencies: Record<string, string>;
};

test('the package is a Debian package for x64 and arm64', () => {
  assert.equal(config.appId, 'it.sportello.kiosk');
  assert.ok(config.productName);
  const deb = config.linux.target.find((t) => t.target === 'deb');
  assert.ok(deb, 'a deb target');
  assert.deepEqual([...deb.arch].sort(), ['arm64', 'x64']);
  assert.ok(config.linux.category);
  assert.match(config.linux.maintainer, /^.+ <[^@\s]+@[^@\s]+>$/);
  assert.equal(config.linux.executableName, 'sportello-kiosk');
  assert.ok(config.deb.depends.includes('libnss3'));
  assert.ok(config.deb.packageCategory);
  assert.ok(config.directories.output);
});

test('the archive holds the bundles the build writes, and main points at the main bundle', () => {
  const outInApp = relative(appDir, DEFAULT_OUT_DIR);
  assert.ok(config.files.includes(`${outInApp}/${MAIN_BUNDLE}`));
  assert.ok(config.files.includes(`${outInApp}/${PRELOAD_BUNDLE}`));
  assert.equal(config.extraMetadata.main, `${outInApp}/${MAIN_BUNDLE}`);
  assert.equal(shellPackage.main, config.extraMetadata.main);
  assert.equal(join(appDir, config.extraMetadata.main), join(DEFAULT_OUT_DIR, MAIN_BUNDLE));
});

test('the kiosk page and its assets ship as resources', () => {
  const pages = config.extraResources.find((r) => r.from === 'app/dist');
  assert.ok(pages);
  assert.equal(pages.to, 'pages');
  assert.ok(pages.filter.includes('kiosk/**/*'));
  assert.ok(pages.filter.includes('assets/**/*'));
});

test('native modules are in the archive and unpacked from it', () => {
  assert.equal(config.asar, true);
  for (const name of NATIVE_MODULES) {
    assert.ok(
      config.files.some((f) => f.startsWith(`node_modules/${name}/`)),
      name,
    );
    assert.ok(config.asarUnpack.includes(`node_modules/${name}/**/*`), name);
  }
});

test('Electron is pinned to the installed version; its fuses lock the binary down', () => {
  assert.equal(config.electronVersion, shellPackage.devDependencies.electron);
  // Every fuse set, and set the safe way (the names are @electron/fuses' FuseV1Options, as
  // electron-builder's electronFuses takes them); none left to Electron's default.
  assert.deepEqual(config.electronFuses, {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  });
});
