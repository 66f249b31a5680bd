// Just enough of a browser window for unit tests: a page's WebRTC before VMC (pageWindow) and a
// window with one element whose rectangle a test moves (elementWindow).

/** A window as a page has it: the browser's WebRTC before VMC. */
export function pageWindow() {
  class RTCPeerConnection { constructor(c) { this.config = c; } static generateCertificate() { return 'cert'; } }
  class MediaStream { constructor(t) { this.tracks = t; } }
  const mediaDevices = new EventTarget();
  mediaDevices.getUserMedia = async () => 'browser stream';
  mediaDevices.enumerateDevices = async () => ['browser devices'];
  return { RTCPeerConnection, MediaStream, navigator: { mediaDevices }, location: { origin: 'https://phone.example.com' } };
}

/** A window with one element (el.rect is its client rectangle); fire(type) runs its listener. */
export function elementWindow() {
  const listeners = new Map();
  const target = () => ({ addEventListener: (t, f) => listeners.set(t, f), removeEventListener: (t) => listeners.delete(t) });
  const el = { rect: { x: 10, y: 10, width: 160, height: 120 }, isConnected: true, getBoundingClientRect() { return this.rect; }, contains: (x) => x === el };
  const doc = { ...target(), visibilityState: 'visible', documentElement: {}, elementFromPoint: () => el, querySelector: () => el };
  const win = { ...target(), document: doc, innerWidth: 800, innerHeight: 600, devicePixelRatio: 1, screenX: 0, screenY: 0, outerWidth: 800, outerHeight: 600,
    screen: { width: 800, height: 600 }, getComputedStyle: () => ({ visibility: 'visible' }) };
  return { win, el, fire: (t) => listeners.get(t)?.() };
}
