// VMC's JavaScript SDK. A web or Electron softphone uses it as it uses WebRTC; the media runs on
// the thin client's engine (OPTIMIZED), or in the browser when there is none (FALLBACK).
import { Connection, VmcError, webSocketLink } from './connection.js';
import { domError, defineEventHandlers, makeEvent } from './events.js';
import { VmcMediaStream, VmcMediaStreamTrack, chooseTracks, screenTrack, toDeviceInfos } from './media.js';
import { VmcPeerConnection } from './peer-connection.js';
import { relayLink } from './relay.js';
import { VideoMapping, checkMonitor } from './video.js';

export { VmcError, VmcMediaStream, VmcMediaStreamTrack, VmcPeerConnection };
export { computeGeometry } from './video.js';

/** What the browser had before install(): the fallback. */
export function browserWebRtc(g = globalThis) {
  return {
    RTCPeerConnection: g.RTCPeerConnection,
    MediaStream: g.MediaStream,
    getUserMedia: g.navigator?.mediaDevices?.getUserMedia?.bind(g.navigator.mediaDevices),
    getDisplayMedia: g.navigator?.mediaDevices?.getDisplayMedia?.bind(g.navigator.mediaDevices),
    enumerateDevices: g.navigator?.mediaDevices?.enumerateDevices?.bind(g.navigator.mediaDevices),
  };
}

export class VMC extends EventTarget {
  /**
   * Connects to agentd's web API. Options: `url` and `secret` (Electron's main process, native
   * apps, tests), `WebSocket` (an implementation, for node), `link` (a message channel of your
   * own), `label` (for agentd's logs). Without url/secret, a page uses VMC's browser extension.
   * Never rejects: without agentd or an engine the instance is in FALLBACK with its reason.
   */
  static async connect(options = {}) {
    const vmc = new VMC(options);
    await vmc.ready;
    return vmc;
  }

  constructor(options = {}) {
    super();
    this._label = options.label ?? '';
    this._browser = options.browser ?? browserWebRtc(options.window ?? globalThis);
    this._window = options.window ?? globalThis.window;
    this.mode = 'CONNECTING';
    this.modeReason = 'MODE_REASON_UNSPECIFIED';
    this.modeDetail = '';
    this._mappings = new Map();
    this._mappingIds = 0;
    const link = options.link
      ?? (options.url ? webSocketLink(options.url, options.secret ?? '', options.WebSocket) : relayLink(this._window));
    this._connection = new Connection(link, options);
    this._connection.onEvent((kind, body) => this._onEvent(kind, body));
    this.ready = this._start();
  }

  async _start() {
    try {
      await this._connection.open;
      const s = await this._connection.call('getStatus');
      this._setMode(s.mode ?? 'FALLBACK', s.reason ?? 'MODE_REASON_UNSPECIFIED', s.detail ?? '');
    } catch (e) {
      // SDK's own reason: agentd could not be reached at all (no extension, web API off, refused)
      this._setMode('FALLBACK', 'NO_AGENT', e.message);
    }
    return this;
  }

  /** True when calls run on the thin client's engine. */
  get optimized() { return this.mode === 'OPTIMIZED'; }

  /** An RTCPeerConnection: VMC's when OPTIMIZED, else the browser's own (FALLBACK). */
  createPeerConnection(config, constraints) {
    if (this.optimized) return new VmcPeerConnection(this, config);
    if (!this._browser.RTCPeerConnection) throw domError('NotSupportedError', `no engine (${this.modeReason}) and this browser has no WebRTC`);
    return new this._browser.RTCPeerConnection(config, constraints);
  }

  /** Tracks that are handles of the thin client's microphone and camera. */
  async getUserMedia(constraints) {
    await this.ready;
    if (!this.optimized) return this._browser.getUserMedia(constraints);
    const list = await this._connection.call('listDevices');
    return chooseTracks(constraints, list.devices ?? []);
  }

  /**
   * The VM's screen (or one window: `area`, `screenWidth`, `screenHeight`) as the thin client shows
   * it, sent by the engine. The user is asked on the thin client when the track joins a peer
   * connection's session; if refused, the track ends and `track.vmcError` says why. FALLBACK: the
   * browser's own getDisplayMedia.
   */
  async getDisplayMedia(options = {}) {
    await this.ready;
    if (!this.optimized) {
      if (!this._browser.getDisplayMedia) throw domError('NotSupportedError', `no engine (${this.modeReason}) and this browser cannot share the screen`);
      return this._browser.getDisplayMedia(options);
    }
    return new VmcMediaStream([screenTrack(options)]);
  }

  /** The thin client's devices (labels and the engine's stable ids), or the browser's in FALLBACK. */
  async enumerateDevices() {
    await this.ready;
    if (!this.optimized) return this._browser.enumerateDevices();
    return toDeviceInfos((await this._connection.call('listDevices')).devices ?? []);
  }

  /**
   * Has the overlay draw a peer connection's remote video exactly over `el` and follow it (scroll,
   * transforms, zoom, window moves, covering elements). `peerConnection` defaults to the one whose
   * stream is the element's srcObject. Returns {dispose()}; disposeVideoElement(el) does the same.
   * Rectangles go in guest desktop coordinates and the engine finds the monitor from the guest's
   * layout. `monitor` (1-based, the thin client's "(display N)" windows) names it instead, for
   * layouts the engine cannot infer; the SDK then sends them relative to the browser window's
   * current monitor, whose origin comes from `screenDetails` (getScreenDetails()) when given.
   */
  mapVideoElement(el, { peerConnection, selfView = false, monitor = 0, screenDetails } = {}) {
    const pc = peerConnection ?? el.srcObject?._vmcPeerConnection;
    if (!(pc instanceof VmcPeerConnection)) throw domError('InvalidAccessError', 'mapVideoElement needs a VMC peer connection (or a <video> showing its stream)');
    checkMonitor(monitor); // before the element's old mapping goes
    this.disposeVideoElement(el);
    const mapping = new VideoMapping({
      el, win: this._window, selfView, mappingId: ++this._mappingIds, origin: () => this._clientAreaOffset, monitor, screenDetails,
      send: (g) => pc._whenSession((sessionId) => this._connection.call('setVideoGeometry', { sessionId, ...g }).catch(() => {})),
    });
    this._mappings.set(el, mapping);
    return { dispose: () => this.disposeVideoElement(el), get updates() { return mapping.sent; } };
  }

  disposeVideoElement(el) {
    this._mappings.get(el)?.dispose();
    this._mappings.delete(el);
  }

  /** Where the page's viewport starts on the guest desktop, in device pixels, when the app knows better than the window's position. */
  setClientAreaOffset(x, y) {
    this._clientAreaOffset = { x, y };
    for (const m of this._mappings.values()) m.update();
  }

  close() {
    for (const el of [...this._mappings.keys()]) this.disposeVideoElement(el);
    this._connection.close();
  }

  _setMode(mode, reason, detail) {
    if (mode === this.mode && reason === this.modeReason) return;
    this.mode = mode;
    this.modeReason = reason;
    this.modeDetail = detail;
    this.dispatchEvent(makeEvent('modechange', { mode, reason, detail }));
  }

  _onEvent(kind, body) {
    if (kind === 'modeChanged') this._setMode(body.mode ?? 'FALLBACK', body.reason ?? 'MODE_REASON_UNSPECIFIED', body.detail ?? '');
    else if (kind === 'deviceChanged') this.dispatchEvent(makeEvent('devicechange', { change: body.change, device: body.device }));
    else if (kind === 'closed' && this.mode === 'OPTIMIZED') this._setMode('FALLBACK', 'NO_AGENT', body.reason);
  }
}
defineEventHandlers(VMC.prototype, ['modechange', 'devicechange']);

import { install } from './install.js';

/** VMC.install(): drop-in mode (install.js). */
VMC.install = install;
export { install };
export default VMC;
