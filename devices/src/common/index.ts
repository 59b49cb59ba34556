// Pure part of @sportello/devices (no Node, no DOM): importable from any runtime as
// '@sportello/devices/common'. The package root adds the Node bindings, simulator and helpers.
export type { Clock, TimerHandle } from './clock.ts';
export { FakeClock } from './clock.ts';
export type { EventMap, Listener } from './emitter.ts';
export { Emitter } from './emitter.ts';
export type {
  DeviceErrorCode,
  DeviceState,
  DeviceStatus,
  DeviceStatusReason,
  HandsetEvent,
  HandsetEventMap,
  HandsetEventSource,
  HandsetSource,
  KeypadKey,
  PhoneKey,
} from './events.ts';
export { DeviceError, isDeviceError, isKeypadKey, isPhoneKey, KEYPAD_KEYS, PHONE_KEYS } from './events.ts';
export type {
  HidBinding,
  HidDeviceInfo,
  HidHandle,
  HidHandleEvents,
  SerialBinding,
  SerialHandle,
  SerialHandleEvents,
  SerialPortInfo,
  UsbIdentity,
} from './bindings.ts';
export { matchesIdentity } from './bindings.ts';
export type { MockPortInfo, MockSerialPortEvents } from './serial-mock.ts';
export { MockSerialBinding, MockSerialPort } from './serial-mock.ts';
export type { MockHidDeviceOptions } from './hid-mock.ts';
export { MockHidBinding, MockHidDevice } from './hid-mock.ts';
export type { Frame } from './frame.ts';
export { encodeFrame, FRAME_MAX_BYTES, FRAME_MAX_PAYLOAD, FRAME_SOF, toHex } from './frame.ts';
export type { FrameDecoderStats } from './frame-decoder.ts';
export { FrameDecoder } from './frame-decoder.ts';
export { crc16 } from './crc16.ts';
export type { BoardMessage, Capabilities, KioskMessage } from './messages.ts';
export {
  CAPABILITY,
  decodeBoardMessage,
  decodeKioskMessage,
  encodeBoardMessage,
  encodeKioskMessage,
  MSG,
  NACK_CODE,
  PROTOCOL_VERSION,
} from './messages.ts';
export type {
  BoardCommand,
  BoardInfo,
  BoardTimingOptions,
  SessionHealth,
  TraceEntry,
} from './board-session.ts';
export { BOARD_TIMING_DEFAULTS, BoardSession } from './board-session.ts';
export type { BoardEmulatorEvents, BoardEmulatorOptions } from './board-emulator.ts';
export { attachBoardToMockPort, BoardEmulator } from './board-emulator.ts';
export type { HookTimingOptions } from './hook-debouncer.ts';
export { HOOK_TIMING_DEFAULTS, HookDebouncer } from './hook-debouncer.ts';
export type { KeyGuardOptions } from './key-guard.ts';
export { KEY_GUARD_DEFAULTS, KeyGuard } from './key-guard.ts';
export type { PageKeyEvent } from './keyboard-keypad.ts';
export { KeyboardKeypad, mapPageKey } from './keyboard-keypad.ts';
export type { HidDescriptor, HidField, HidReportKind, UsageSpan } from './hid-descriptor.ts';
export { parseReportDescriptor, usage, usageAt } from './hid-descriptor.ts';
export type {
  BitField,
  HidLayout,
  HidOutputLayout,
  HidVendorLayoutConfig,
  LayoutResult,
} from './hid-layout.ts';
export { layoutFromConfig, layoutFromDescriptor, outputsFromDescriptor } from './hid-layout.ts';
export type { IndicatorState } from './device-link.ts';
export { indicatorReports } from './device-link.ts';
export type { HidTransition } from './hid-report.ts';
export { HidReportDecoder } from './hid-report.ts';
export type { Indicator } from './hid-usages.ts';
export {
  HOOK_SWITCH,
  INDICATOR_LEDS,
  INDICATORS,
  KEYBOARD_KEYS,
  PHONE_MUTE,
  TELEPHONY_KEYS,
} from './hid-usages.ts';
export type { DeviceConfig, HidDeviceConfig, ReopenOptions, SerialDeviceConfig } from './device-config.ts';
export { REOPEN_DEFAULTS } from './device-config.ts';
export type { DeviceManagerEvents, DeviceManagerOptions } from './device-manager.ts';
export { DeviceManager } from './device-manager.ts';
export type { ScriptResult, SimStep } from './sim-script.ts';
export { parseDuration, parseScript } from './sim-script.ts';
