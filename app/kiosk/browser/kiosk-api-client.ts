// The kiosk API as the page uses it: Electron's preload puts it on window.sportelloKiosk; in
// Chromium the same API comes over the host's local WebSocket, opened with the per-start secret.
import {
  KIOSK_HOST_SOCKET_PATH,
  type HostServerMessage,
  type KioskApi,
  type KioskRequest,
  type KioskState,
  type Language,
  type Result,
} from '@sportello/protocol';

const SECRET_KEY = 'sportello-kiosk-secret';
const HOST_PROTOCOL = 'sportello-kiosk';

declare global {
  interface Window {
    sportelloKiosk?: KioskApi;
  }
}

class WebSocketKioskApi implements KioskApi {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (r: Result<KioskState>) => void>();
  private readonly listeners = new Set<(s: KioskState) => void>();
  private opened: Promise<void> | undefined;

  constructor(private readonly secret: string) {}

  private connect(): Promise<void> {
    this.opened ??= new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}${KIOSK_HOST_SOCKET_PATH}`, [
        HOST_PROTOCOL,
        this.secret,
      ]);
      this.ws = ws;
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error('kiosk host unreachable'));
      ws.onclose = () => {
        this.opened = undefined;
        for (const resolvePending of this.pending.values()) {
          resolvePending({ ok: false, error: { code: 'disconnected', message: 'kiosk host disconnected' } });
        }
        this.pending.clear();
        // The host restarts with the core; the page reconnects on its own.
        setTimeout(() => void this.connect().catch(() => {}), 1000);
      };
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as HostServerMessage;
        if (msg.type === 'state') for (const l of this.listeners) l(msg.state);
        else {
          this.pending.get(msg.id)?.(msg.result);
          this.pending.delete(msg.id);
        }
      };
    });
    return this.opened;
  }

  private async call(request: KioskRequest): Promise<Result<KioskState>> {
    await this.connect();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws!.send(JSON.stringify({ id, request }));
    });
  }

  getState = () => this.call({ method: 'getState' });
  openCodeEntry = () => this.call({ method: 'openCodeEntry' });
  pressKey = (key: Extract<KioskRequest, { method: 'pressKey' }>['key']) =>
    this.call({ method: 'pressKey', key });
  submitCode = (code: string) => this.call({ method: 'submitCode', code });
  startWalkIn = () => this.call({ method: 'startWalkIn' });
  hangUp = () => this.call({ method: 'hangUp' });
  backToIdle = () => this.call({ method: 'backToIdle' });
  setLanguage = (language: Language) => this.call({ method: 'setLanguage', language });
  requestCallback = () => this.call({ method: 'requestCallback' });
  extendTime = () => this.call({ method: 'extendTime' });
  renewMediaToken = () => this.call({ method: 'renewMediaToken' });
  onState(listener: (s: KioskState) => void): () => void {
    this.listeners.add(listener);
    void this.connect().catch(() => {});
    return () => this.listeners.delete(listener);
  }
}

export function getKioskApi(): KioskApi {
  if (window.sportelloKiosk) return window.sportelloKiosk;
  // The secret arrives in the fragment; it is kept for reloads and removed from the address bar.
  const fromHash = location.hash.slice(1);
  if (fromHash) {
    sessionStorage.setItem(SECRET_KEY, fromHash);
    history.replaceState(null, '', location.pathname);
  }
  return new WebSocketKioskApi(sessionStorage.getItem(SECRET_KEY) ?? '');
}
