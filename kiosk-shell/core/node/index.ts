export { AgendaCache, type Validation } from './agenda-cache.ts';
export { ServerLink } from './server-link.ts';
export { KioskCore, type KioskCoreOptions } from './kiosk-core.ts';
export { Outbox } from './outbox.ts';
export { ServerClock } from './clock.ts';
export { startKioskDevices, type KioskDevices, type KioskDevicesOptions } from './devices.ts';
export { handsetStatusFor, screenKeyFor } from './handset-input.ts';
export { startKioskRuntime, type KioskRuntime, type KioskRuntimeOptions } from './runtime.ts';
