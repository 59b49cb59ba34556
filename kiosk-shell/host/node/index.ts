export { startKioskHost, HOST_PROTOCOL, type KioskHost, type KioskHostOptions } from './host.ts';
export { resolveStaticPath, kioskCsp } from './static-files.ts';
export { startKioskAgent, type KioskAgent, type KioskAgentOptions } from './agent.ts';
export {
  launchKioskWindow,
  hasDisplay,
  findElectron,
  lookupUser,
  ELECTRON_MAIN_BUNDLE,
  KIOSK_USER,
  type KioskLaunchResult,
  type KioskWindowHandle,
} from './launcher.ts';
export { CdpPipe, evaluateInPage, PAGE_SECRET_KEY, type CdpEvent } from './cdp-pipe.ts';
