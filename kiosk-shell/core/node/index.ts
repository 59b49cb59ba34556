export { AgendaCache, type Validation } from './agenda-cache.ts';
export { ServerLink } from './server-link.ts';
export { KioskCore, type KioskCoreOptions } from './kiosk-core.ts';
