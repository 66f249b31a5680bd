// Drop-in mode: a page written against the standard WebRTC API gets VMC without knowing it.
// install() replaces RTCPeerConnection, navigator.mediaDevices.getUserMedia/enumerateDevices and
// MediaStream, and lets <audio>/<video> take VMC streams as srcObject (video is mapped on screen).
import { VMC, browserWebRtc } from './index.js';
import { VmcMediaStream, VmcMediaStreamTrack } from './media.js';
import { VmcPeerConnection } from './peer-connection.js';

/**
 * Installs VMC into `win` (default: this window) and returns the VMC instance at once; its
 * `ready` promise resolves when the mode is known. A peer connection the page makes before that
 * is the browser's own, so the page always works.
 */
export function install(options = {}) {
  const win = options.window ?? globalThis;
  if (win.__vmc) return win.__vmc;
  const browser = browserWebRtc(win);
  const vmc = new VMC({ ...options, window: win, browser });
  win.__vmc = vmc;

  const NativePC = browser.RTCPeerConnection;
  const PeerConnection = function RTCPeerConnection(config, constraints) {
    if (!new.target) throw new TypeError("Failed to construct 'RTCPeerConnection': Please use the 'new' operator");
    return vmc.createPeerConnection(config, constraints);
  };
  if (NativePC) {
    PeerConnection.prototype = NativePC.prototype;
    PeerConnection.generateCertificate = NativePC.generateCertificate?.bind(NativePC);
  }
  Object.defineProperty(PeerConnection, Symbol.hasInstance, { value: (x) => x instanceof VmcPeerConnection || (NativePC !== undefined && x instanceof NativePC) });
  win.RTCPeerConnection = PeerConnection;
  if ('webkitRTCPeerConnection' in win) win.webkitRTCPeerConnection = PeerConnection;

  const NativeStream = browser.MediaStream;
  const Stream = function MediaStream(arg) {
    if (!new.target) throw new TypeError("Failed to construct 'MediaStream': Please use the 'new' operator");
    const tracks = arg instanceof VmcMediaStream ? arg.getTracks() : Array.isArray(arg) ? arg : [];
    if (tracks.some((t) => t instanceof VmcMediaStreamTrack) || arg instanceof VmcMediaStream) return new VmcMediaStream(tracks);
    if (!NativeStream) return new VmcMediaStream([]);
    return arg === undefined ? new NativeStream() : new NativeStream(arg);
  };
  if (NativeStream) Stream.prototype = NativeStream.prototype;
  Object.defineProperty(Stream, Symbol.hasInstance, { value: (x) => x instanceof VmcMediaStream || (NativeStream !== undefined && x instanceof NativeStream) });
  win.MediaStream = Stream;

  const devices = win.navigator?.mediaDevices;
  if (devices) {
    devices.getUserMedia = (constraints) => vmc.getUserMedia(constraints);
    devices.enumerateDevices = () => vmc.enumerateDevices();
    vmc.addEventListener('devicechange', () => devices.dispatchEvent(new Event('devicechange')));
    Object.defineProperty(devices, 'isCallRedirectionEnabled', { configurable: true, get: () => vmc.optimized });
  }
  if (win.HTMLMediaElement) patchSrcObject(win, vmc);
  return vmc;
}

/** <video>.srcObject = a VMC stream: the element shows nothing itself; the overlay draws over it. */
function patchSrcObject(win, vmc) {
  const proto = win.HTMLMediaElement.prototype;
  const original = Object.getOwnPropertyDescriptor(proto, 'srcObject');
  const held = new WeakMap();
  Object.defineProperty(proto, 'srcObject', {
    configurable: true,
    enumerable: true,
    get() { return held.get(this) ?? original.get.call(this); },
    set(value) {
      if (value instanceof VmcMediaStream) {
        held.set(this, value);
        original.set.call(this, null);
        const pc = value._vmcPeerConnection;
        if (pc && this instanceof win.HTMLVideoElement) vmc.mapVideoElement(this, { peerConnection: pc });
        return;
      }
      if (held.has(this)) {
        held.delete(this);
        vmc.disposeVideoElement(this);
      }
      original.set.call(this, value);
    },
  });
}
