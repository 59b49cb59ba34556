export * from './booking-code.ts';
export * from './kiosk-api.ts';
export * from './signaling.ts';
export * from './http-api.ts';
export * from './agenda-sync.ts';
export * from './fleet.ts';
export * from './call-queue.ts';
