// The kiosk core's handset device: one DeviceManager, started with the core and closed with it. Its
// events and status changes go to the core, which decides what they mean for the screen.
import {
  createDeviceManager,
  INDICATORS,
  type DeviceConfig,
  type DeviceManager,
  type NodeDeviceManagerOptions,
} from '@sportello/devices';
import { indicatorsFor } from './handset-input.ts';
import type { KioskCore } from './kiosk-core.ts';

export interface KioskDevicesOptions {
  core: KioskCore;
  /** The handset device: a controller board on a serial port, or a USB HID handset or keypad. */
  config: DeviceConfig;
  /** Timings, clock and bindings for the manager; the defaults suit a real totem. */
  manager?: NodeDeviceManagerOptions;
}

export interface KioskDevices {
  readonly manager: DeviceManager;
  /** Diagnostics for technicians and logs. */
  dump(): Record<string, unknown>;
  /** Releases the device, its timers and listeners; safe to call twice. */
  close(): Promise<void>;
}

/** Creates and starts the manager; the core hears its status at once, then every change and event. */
export function startKioskDevices(o: KioskDevicesOptions): KioskDevices {
  const manager = createDeviceManager(o.config, o.manager);
  manager.on('event', (event) => o.core.handset(event));
  manager.on('status', (status) => o.core.deviceStatus(status));
  // The call state on the device's LEDs (HID only). A wish made while the device is away is kept by
  // the manager and written when it is back; devices without LEDs simply say 'unsupported'.
  const showIndicators = () => {
    const wanted = indicatorsFor(o.core.getState());
    for (const name of INDICATORS) {
      if (manager.indicators[name] !== wanted[name])
        manager.setIndicator(name, wanted[name]).catch(() => undefined);
    }
  };
  const onState = () => showIndicators();
  o.core.on('state', onState);
  o.core.deviceStatus(manager.status);
  manager.start();
  return {
    manager,
    dump: () => manager.dump(),
    close: () => {
      o.core.off('state', onState);
      return manager.close();
    },
  };
}
