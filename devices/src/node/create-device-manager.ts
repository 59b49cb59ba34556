// The device manager wired to the real bindings and the system clock: what the kiosk core uses.
import type { DeviceConfig } from '../common/device-config.ts';
import type { DeviceManagerOptions } from '../common/device-manager.ts';
import { DeviceManager } from '../common/device-manager.ts';
import { nodeHidBinding } from './hid-node.ts';
import { nodeSerialBinding } from './serial-port.ts';
import { systemClock } from './system-clock.ts';

export type NodeDeviceManagerOptions = Omit<DeviceManagerOptions, 'config' | 'clock' | 'serial' | 'hid'> &
  Partial<Pick<DeviceManagerOptions, 'clock' | 'serial' | 'hid'>>;

/** Creates (not starts) a manager for `config`; call start(), listen to 'event' and 'status', close() at the end. */
export function createDeviceManager(
  config: DeviceConfig,
  options: NodeDeviceManagerOptions = {},
): DeviceManager {
  return new DeviceManager({
    ...options,
    config,
    clock: options.clock ?? systemClock,
    serial: options.serial ?? nodeSerialBinding,
    hid: options.hid ?? nodeHidBinding,
  });
}
