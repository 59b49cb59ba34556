#!/usr/bin/env -S node --import tsx
// sportello-provisioning: the technician's command line at the totem. See provisioning/README.md.
// Ctrl-C asks the running command to stop cleanly (ports closed); a second Ctrl-C exits at once.
import { runCli } from './program.ts';

const controller = new AbortController();
const onSignal = () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  signal: controller.signal,
});
// Native device libraries may keep threads alive after their handles are closed: exit explicitly.
process.exit(code);
