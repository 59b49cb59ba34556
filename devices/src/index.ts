// Package entry of @sportello/devices (see package.json "exports"). The API lives in node/index.ts so
// that it is type-checked with the Node code; the pure part alone is '@sportello/devices/common'.
export * from './node/index.ts';
