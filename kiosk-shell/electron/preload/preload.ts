// The sandboxed preload: puts exactly the KioskApi on window.sportelloKiosk and nothing else. Each
// method is one fixed request over the one kiosk channel; main validates every payload again, so
// this facade is a convenience, not the security boundary. No generic invoke(channel), no
// ipcRenderer, no event objects reach the page.
import {
  KIOSK_CHANNELS,
  type KioskApi,
  type KioskRequest,
  type KioskState,
  type Result,
} from '@sportello/protocol';
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

function request(req: KioskRequest): Promise<Result<KioskState>> {
  return ipcRenderer.invoke(KIOSK_CHANNELS.request, req) as Promise<Result<KioskState>>;
}

const api: KioskApi = {
  getState: () => request({ method: 'getState' }),
  openCodeEntry: () => request({ method: 'openCodeEntry' }),
  pressKey: (key) => request({ method: 'pressKey', key }),
  submitCode: (code) => request({ method: 'submitCode', code }),
  startWalkIn: () => request({ method: 'startWalkIn' }),
  hangUp: () => request({ method: 'hangUp' }),
  backToIdle: () => request({ method: 'backToIdle' }),
  requestCallback: () => request({ method: 'requestCallback' }),
  extendTime: () => request({ method: 'extendTime' }),
  renewMediaToken: () => request({ method: 'renewMediaToken' }),
  setLanguage: (language) => request({ method: 'setLanguage', language }),
  onState(listener) {
    const forward = (_event: IpcRendererEvent, state: KioskState) => listener(state);
    ipcRenderer.on(KIOSK_CHANNELS.state, forward);
    return () => {
      ipcRenderer.removeListener(KIOSK_CHANNELS.state, forward);
    };
  },
};

contextBridge.exposeInMainWorld('sportelloKiosk', api);
