// Electron main's configuration is the kiosk's, shared with the Chromium variant's agent
// (kiosk-shell/host/node/agent-cli.ts): see core/node/kiosk-config.ts.
export * from '../../core/node/kiosk-config.ts';
