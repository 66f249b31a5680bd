// Tracks and streams that are handles: their media lives on the thin client, where the engine
// captures and plays it. A page cannot read their samples; it can pass them to a peer
// connection, enable and disable them (mute), stop them and show remote video with mapVideoElement.
import { defineEventHandlers, domError, makeEvent } from './events.js';

let counter = 0;
const uuid = () => globalThis.crypto?.randomUUID?.() ?? `vmc-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** vmc.v1 DeviceKind -> MediaDeviceInfo.kind */
export const DEVICE_KINDS = { MICROPHONE: 'audioinput', SPEAKER: 'audiooutput', CAMERA: 'videoinput' };
const TRACK_KIND = { audioinput: 'audio', videoinput: 'video' };

export class VmcMediaStreamTrack extends EventTarget {
  constructor({ kind, label = '', deviceId = '', remote = false }) {
    super();
    this.kind = kind;
    this.id = uuid();
    this.label = label;
    this.deviceId = deviceId;
    this.remote = remote;
    this.readyState = 'live';
    this.muted = false;
    this.contentHint = '';
    this._enabled = true;
    this._owners = new Set(); // senders carrying this track: they mute the engine's stream
  }

  get enabled() { return this._enabled; }
  set enabled(value) {
    const v = Boolean(value);
    if (v === this._enabled) return;
    this._enabled = v;
    for (const sender of this._owners) sender._trackEnabledChanged();
  }

  stop() {
    if (this.readyState === 'ended') return;
    this.readyState = 'ended';
    this._stopShare?.();
    for (const sender of this._owners) sender._trackEnabledChanged();
  }

  clone() {
    const t = new VmcMediaStreamTrack({ kind: this.kind, label: this.label, deviceId: this.deviceId, remote: this.remote });
    t._enabled = this._enabled;
    return t;
  }

  getSettings() { return this.deviceId ? { deviceId: this.deviceId } : {}; }
  getConstraints() { return {}; }
  getCapabilities() { return this.deviceId ? { deviceId: this.deviceId } : {}; }
  applyConstraints() { return Promise.reject(domError('NotSupportedError', 'VMC tracks take no constraints after capture: the thin client\'s engine owns the device')); }

  /** Ends a remote track when its call ends, as the browser does. */
  _end() {
    if (this.readyState === 'ended') return;
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}
defineEventHandlers(VmcMediaStreamTrack.prototype, ['ended', 'mute', 'unmute']);

export class VmcMediaStream extends EventTarget {
  constructor(tracks = []) {
    super();
    this.id = uuid();
    this._tracks = [];
    const list = tracks instanceof VmcMediaStream ? tracks.getTracks() : tracks;
    for (const t of list) this._add(t);
  }

  _add(track) {
    if (!(track instanceof VmcMediaStreamTrack)) throw new TypeError('a VMC stream holds only VMC tracks (from VMC.getUserMedia or a VMC peer connection)');
    if (!this._tracks.includes(track)) this._tracks.push(track);
  }

  get active() { return this._tracks.some((t) => t.readyState === 'live'); }
  getTracks() { return [...this._tracks]; }
  getAudioTracks() { return this._tracks.filter((t) => t.kind === 'audio'); }
  getVideoTracks() { return this._tracks.filter((t) => t.kind === 'video'); }
  getTrackById(id) { return this._tracks.find((t) => t.id === id) ?? null; }
  addTrack(track) { this._add(track); }
  removeTrack(track) { this._tracks = this._tracks.filter((t) => t !== track); }
  clone() { return new VmcMediaStream(this._tracks.map((t) => t.clone())); }

  /** Remote streams: fires addtrack, as a browser does when a track arrives on a known stream. */
  _addRemote(track) {
    if (this._tracks.includes(track)) return;
    this._tracks.push(track);
    this.dispatchEvent(makeEvent('addtrack', { track }));
  }
}
defineEventHandlers(VmcMediaStream.prototype, ['addtrack', 'removetrack']);

/** The thin client's devices as MediaDeviceInfo-shaped objects (ids are the engine's, stable across calls). */
export function toDeviceInfos(devices = []) {
  return devices.filter((d) => DEVICE_KINDS[d.kind]).map((d) => {
    const info = { deviceId: d.id, groupId: '', kind: DEVICE_KINDS[d.kind], label: d.name ?? '' };
    return { ...info, toJSON: () => info };
  });
}

/** getUserMedia's constraint for one kind: true/false, or {deviceId} with a plain, ideal or exact value. */
function wantedDevice(constraint) {
  if (constraint === undefined || constraint === false) return null;
  if (constraint === true || typeof constraint !== 'object' || constraint === null) return { id: null, exact: false };
  const d = constraint.deviceId;
  if (d === undefined) return { id: null, exact: false };
  if (typeof d === 'string' || Array.isArray(d)) return { id: [].concat(d), exact: false };
  if (d.exact !== undefined) return { id: [].concat(d.exact), exact: true };
  if (d.ideal !== undefined) return { id: [].concat(d.ideal), exact: false };
  return { id: null, exact: false };
}

/**
 * An engine that lists no microphone still has an audio source of its own (a configured one, a
 * test tone, a device PulseAudio does not list): the track stands for it and selects nothing.
 */
const ENGINE_SOURCE = { deviceId: '', label: 'VMC engine audio source' };

/** Picks the devices for getUserMedia(constraints) among the thin client's (vmc.v1 Device list). */
export function chooseTracks(constraints, devices) {
  if (!constraints || typeof constraints !== 'object') throw new TypeError('getUserMedia needs a constraints object');
  const tracks = [];
  const wanted = { audioinput: wantedDevice(constraints.audio), videoinput: wantedDevice(constraints.video) };
  if (!wanted.audioinput && !wanted.videoinput) throw new TypeError('getUserMedia needs audio or video');
  const infos = toDeviceInfos(devices);
  for (const [kind, want] of Object.entries(wanted)) {
    if (!want) continue;
    const ofKind = infos.filter((d) => d.kind === kind);
    const byId = want.id ? ofKind.find((d) => want.id.includes(d.deviceId)) : undefined;
    if (want.exact && !byId) {
      const e = domError('OverconstrainedError', `no ${kind} with deviceId ${want.id.join(', ')} on the thin client`);
      Object.defineProperty(e, 'constraint', { value: 'deviceId' });
      throw e;
    }
    const isDefault = (d) => devices.find((x) => x.id === d.deviceId)?.isDefault;
    const device = byId ?? ofKind.find(isDefault) ?? ofKind[0] ?? (kind === 'audioinput' ? ENGINE_SOURCE : undefined);
    if (!device) throw domError('NotFoundError', `the thin client has no ${kind === 'audioinput' ? 'microphone' : 'camera'}`);
    tracks.push(new VmcMediaStreamTrack({ kind: TRACK_KIND[kind], label: device.label, deviceId: device.deviceId }));
  }
  return new VmcMediaStream(tracks);
}

/**
 * getDisplayMedia's track: a handle of the thin client's picture of this VM's screen (the SPICE
 * display). `options`: `area` {x, y, width, height} and `screenWidth`/`screenHeight` for one window
 * (guest desktop pixels), else the whole screen; `frameRate` (1..15, default 5); `title` for the prompt.
 */
export function screenTrack(options = {}) {
  const share = { maxFps: 5, title: '' };
  const video = typeof options.video === 'object' ? options.video : {};
  const fps = video.frameRate?.max ?? video.frameRate?.ideal ?? video.frameRate ?? options.frameRate;
  if (fps !== undefined) {
    if (!Number.isInteger(fps) || fps < 1 || fps > 15) throw new TypeError('frameRate must be an integer 1..15');
    share.maxFps = fps;
  }
  if (options.area) {
    const { x, y, width, height } = options.area;
    if (![x, y, width, height, options.screenWidth, options.screenHeight].every(Number.isInteger) || width <= 0 || height <= 0
        || options.screenWidth <= 0 || options.screenHeight <= 0) {
      throw new TypeError('area needs integer x, y, width, height (width and height > 0) and screenWidth, screenHeight');
    }
    Object.assign(share, { area: { x, y, width, height }, screenWidth: options.screenWidth, screenHeight: options.screenHeight });
  }
  if (options.title !== undefined) {
    if (typeof options.title !== 'string' || options.title.length > 128) throw new TypeError('title must be a string of at most 128 characters');
    share.title = options.title;
  }
  const track = new VmcMediaStreamTrack({ kind: 'video', label: options.area ? 'window' : 'screen' });
  track.contentHint = 'detail';
  track._screen = share;
  return track;
}
