// @sportello/devices for Node: the pure part (common/index.ts) plus the real bindings, the simulator
// and the technician helpers. Type-checked here, under node/; src/index.ts only re-exports it.
export * from '../common/index.ts';
export { createDeviceManager } from './create-device-manager.ts';
export type { NodeDeviceManagerOptions } from './create-device-manager.ts';
export { nodeSerialBinding } from './serial-port.ts';
export { loadNodeHid, nodeHidBinding } from './hid-node.ts';
export { systemClock } from './system-clock.ts';
export { FrameParser } from './frame-parser.ts';
export type { FrameParserOptions } from './frame-parser.ts';
export { startPtyPair } from './socat.ts';
export type { PtyPair } from './socat.ts';
export { startSimulator } from './simulator.ts';
export type { Simulator, SimulatorOptions } from './simulator.ts';
export { guessHid, listCandidates, watchDevice } from './technician.ts';
export type { CandidateList, DeviceWatch, HidKindGuess, WatchEvent } from './technician.ts';
