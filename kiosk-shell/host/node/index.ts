export { startKioskHost, HOST_PROTOCOL, type KioskHost, type KioskHostOptions } from './host.ts';
export { resolveStaticPath, kioskCsp } from './static-files.ts';
export { startKioskAgent, type KioskAgent, type KioskAgentOptions } from './agent.ts';
export { launchKioskWindow, hasDisplay, type KioskLaunchResult } from './launcher.ts';
