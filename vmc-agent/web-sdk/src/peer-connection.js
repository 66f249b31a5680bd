// An object that behaves as RTCPeerConnection for what softphones use, whose media runs on the
// thin client's engine: each one is a vmc.v1 session, created when it is first negotiated.
// What VMC cannot do is refused the W3C way (a DOMException with the standard name).
import { defineEventHandlers, domError, makeEvent, queueTask } from './events.js';
import { VmcMediaStream, VmcMediaStreamTrack } from './media.js';
import { VmcDTMFSender } from './dtmf.js';
import { toStatsReport } from './stats.js';

const CONNECTION_STATE = { NEW: 'new', CONNECTING: 'connecting', CONNECTED: 'connected', ON_HOLD: 'connected', DISCONNECTED: 'disconnected', FAILED: 'failed', CLOSED: 'closed' };
const ICE_STATE = { NEW: 'new', CONNECTING: 'checking', CONNECTED: 'connected', ON_HOLD: 'connected', DISCONNECTED: 'disconnected', FAILED: 'failed', CLOSED: 'closed' };

/** The media sections of an SDP, in order: {kind, mid, direction}. */
export function mediaSections(sdp = '') {
  const out = [];
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^m=(\w+) /.exec(line);
    if (m) out.push({ kind: m[1], mid: String(out.length), direction: 'sendrecv' });
    const cur = out[out.length - 1];
    if (!cur) continue;
    const mid = /^a=mid:(\S+)/.exec(line);
    if (mid) cur.mid = mid[1];
    const dir = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line);
    if (dir) cur.direction = dir[1];
  }
  return out;
}

export class VmcRtpSender {
  constructor(pc, kind, track) {
    this._pc = pc;
    this._kind = kind;
    this.track = null;
    this.transport = null;
    this.dtmf = kind === 'audio' ? new VmcDTMFSender(this) : null;
    this._setTrack(track);
  }

  _setTrack(track) {
    if (this.track) this.track._owners.delete(this);
    this.track = track ?? null;
    if (this.track) this.track._owners.add(this);
    this._trackEnabledChanged();
  }

  /** A disabled, stopped or removed track mutes what the engine sends (vmc.v1 SetMute). */
  _trackEnabledChanged() {
    const muted = !this.track || !this.track.enabled || this.track.readyState === 'ended';
    if (muted === this._muted) return;
    this._muted = muted;
    this._pc._whenSession((sessionId) => this._pc._send('setMute', { kind: this._kind.toUpperCase(), muted }, sessionId));
  }

  async replaceTrack(track) {
    if (this._pc.signalingState === 'closed') throw domError('InvalidStateError', 'the peer connection is closed');
    if (track !== null && !(track instanceof VmcMediaStreamTrack)) throw domError('NotSupportedError', 'VMC sends only tracks from VMC.getUserMedia: the media is on the thin client');
    if (track && track.kind !== this._kind) throw new TypeError(`a ${track.kind} track cannot replace a ${this._kind} track`);
    this._setTrack(track);
    if (track?.deviceId) await this._pc._selectDevice(track);
  }

  getParameters() { return { encodings: [{ active: !this._muted }], codecs: [], headerExtensions: [], rtcp: { reducedSize: false } }; }
  setParameters() { return Promise.reject(domError('NotSupportedError', 'VMC chooses encodings on the thin client\'s engine')); }
  getStats() { return this._pc.getStats(); }
  static getCapabilities() { return null; }
}

export class VmcRtpReceiver {
  constructor(pc, kind) {
    this._pc = pc;
    this.track = new VmcMediaStreamTrack({ kind, label: `remote ${kind}`, remote: true });
    this.transport = null;
  }
  getStats() { return this._pc.getStats(); }
  getContributingSources() { return []; }
  getSynchronizationSources() { return []; }
  getParameters() { return { codecs: [], headerExtensions: [], rtcp: {} }; }
  static getCapabilities() { return null; }
}

export class VmcRtpTransceiver {
  constructor(pc, kind, track, direction = 'sendrecv') {
    this.mid = null;
    this.direction = direction;
    this.currentDirection = null;
    this.sender = new VmcRtpSender(pc, kind, track);
    this.receiver = new VmcRtpReceiver(pc, kind);
    this._kind = kind;
    this._pc = pc;
    this._stopped = false;
  }
  get stopped() { return this._stopped; }
  stop() {
    this._stopped = true;
    this.direction = 'stopped';
    this.sender._setTrack(null);
    this.receiver.track._end();
  }
  setCodecPreferences() { throw domError('InvalidModificationError', 'VMC takes codec preferences as session options (codecs), not per transceiver'); }
}

export class VmcPeerConnection extends EventTarget {
  /** `vmc` is the VMC instance (its connection and device choices); `config` an RTCConfiguration. */
  constructor(vmc, config) {
    super();
    this._vmc = vmc;
    this._config = { ...(config ?? {}) };
    this._transceivers = [];
    this._sessionId = null;
    this._sessionPromise = null;
    this._remoteOffer = null;
    this._engineOffer = null; // an offer the engine made by itself (renegotiationNeeded)
    this._iceRestart = false;
    this._negotiationQueued = false;
    this._remoteStream = new VmcMediaStream();
    this._remoteStream._vmcPeerConnection = this; // for mapVideoElement(el) and the automatic mapping of srcObject
    this.localDescription = null;
    this.remoteDescription = null;
    this.currentLocalDescription = null;
    this.currentRemoteDescription = null;
    this.pendingLocalDescription = null;
    this.pendingRemoteDescription = null;
    this.signalingState = 'stable';
    this.connectionState = 'new';
    this.iceConnectionState = 'new';
    this.iceGatheringState = 'new';
    this.canTrickleIceCandidates = null;
    this.sctp = null;
    this._unsubscribe = vmc._connection.onEvent((kind, body) => this._onEvent(kind, body));
  }

  // ------------------------------------------------------------ tracks

  getSenders() { return this._transceivers.map((t) => t.sender); }
  getReceivers() { return this._transceivers.map((t) => t.receiver); }
  getTransceivers() { return [...this._transceivers]; }

  addTrack(track, ...streams) {
    this._checkOpen();
    if (!(track instanceof VmcMediaStreamTrack)) throw domError('NotSupportedError', 'VMC sends only tracks from VMC.getUserMedia (its media is on the thin client), not tracks the browser captured');
    if (this.getSenders().some((s) => s.track === track)) throw domError('InvalidAccessError', 'this track is already added');
    const free = this._transceivers.find((t) => t._kind === track.kind && !t.sender.track && !t.stopped && t._wasSending !== true);
    let t = free;
    if (t) {
      t.sender._setTrack(track);
      if (t.direction === 'recvonly') t.direction = 'sendrecv';
    } else {
      t = new VmcRtpTransceiver(this, track.kind, track);
      this._transceivers.push(t);
    }
    t.sender._streams = streams;
    if (track.deviceId) this._whenSession(() => this._selectDevice(track));
    if (track._screen) this._whenSession(() => this._startScreenShare(track));
    this._negotiationNeeded();
    return t.sender;
  }

  removeTrack(sender) {
    this._checkOpen();
    const t = this._transceivers.find((x) => x.sender === sender);
    if (!t) throw domError('InvalidAccessError', 'this sender does not belong to this peer connection');
    if (!sender.track) return;
    sender._setTrack(null);
    if (t.direction === 'sendrecv') t.direction = 'recvonly';
    this._negotiationNeeded();
  }

  addTransceiver(trackOrKind, transceiverInit) {
    const init = transceiverInit ?? {};
    this._checkOpen();
    const track = typeof trackOrKind === 'string' ? null : trackOrKind;
    const kind = track ? track.kind : trackOrKind;
    if (kind !== 'audio' && kind !== 'video') throw new TypeError(`unknown kind: ${kind}`);
    if (track && !(track instanceof VmcMediaStreamTrack)) throw domError('NotSupportedError', 'VMC sends only tracks from VMC.getUserMedia');
    if (init.sendEncodings?.length > 1) throw domError('NotSupportedError', 'VMC sends one encoding per track (no simulcast)');
    const t = new VmcRtpTransceiver(this, kind, track, init.direction ?? 'sendrecv');
    this._transceivers.push(t);
    this._negotiationNeeded();
    return t;
  }

  createDataChannel() {
    this._checkOpen();
    throw domError('NotSupportedError', 'VMC carries audio and video; data channels are not supported');
  }

  /** Chrome's legacy API, still used by some softphones. */
  createDTMFSender(track) {
    const sender = this.getSenders().find((s) => s.track === track);
    if (!sender || !sender.dtmf) throw domError('InvalidAccessError', 'createDTMFSender needs an audio track added to this peer connection');
    return sender.dtmf;
  }

  // ------------------------------------------------------------ offer / answer

  async createOffer(offerOptions) {
    this._checkOpen();
    const options = offerOptions ?? {}; // softphones pass null as often as nothing
    if (options.offerToReceiveAudio && !this._transceivers.some((t) => t._kind === 'audio')) this.addTransceiver('audio', { direction: 'recvonly' });
    if (options.offerToReceiveVideo && !this._transceivers.some((t) => t._kind === 'video')) this.addTransceiver('video', { direction: 'recvonly' });
    const sessionId = await this._session();
    if (this._engineOffer && !options.iceRestart && !this._iceRestart) {
      const sdp = this._engineOffer;
      this._engineOffer = null;
      return { type: 'offer', sdp };
    }
    const iceRestart = Boolean(options.iceRestart || this._iceRestart);
    const d = await this._send('createOffer', { iceRestart, ...this._directions() }, sessionId);
    this._iceRestart = false;
    return { type: 'offer', sdp: d.sdp };
  }

  async createAnswer() {
    this._checkOpen();
    if (this.signalingState !== 'have-remote-offer') throw domError('InvalidStateError', `createAnswer needs a remote offer (signalingState is ${this.signalingState})`);
    const sessionId = await this._session();
    const d = await this._send('createAnswer', { remoteSdp: this._remoteOffer, ...this._directions() }, sessionId);
    this._engineAnswer = d.sdp; // the engine applied it: a pranswer and then the answer both carry it
    return { type: 'answer', sdp: d.sdp };
  }

  async setLocalDescription(description) {
    this._checkOpen();
    let desc = description;
    const answering = this.signalingState === 'have-remote-offer' || this.signalingState === 'have-local-pranswer';
    if (!desc || !desc.type) desc = { type: answering ? 'answer' : 'offer' };
    if (!desc.sdp && desc.type !== 'rollback') {
      if (this.signalingState === 'have-local-pranswer' && (desc.type === 'answer' || desc.type === 'pranswer')) desc = { type: desc.type, sdp: this._engineAnswer };
      else desc = { type: desc.type, sdp: (desc.type === 'offer' ? await this.createOffer() : await this.createAnswer()).sdp };
    }
    const d = { type: desc.type, sdp: desc.sdp ?? '' };
    switch (d.type) {
      case 'offer':
        if (this.signalingState !== 'stable' && this.signalingState !== 'have-local-offer') throw domError('InvalidStateError', `cannot set a local offer in ${this.signalingState}`);
        this.pendingLocalDescription = d;
        this.localDescription = d;
        this._setSignaling('have-local-offer');
        break;
      case 'answer':
        if (!answering) throw domError('InvalidStateError', `cannot set a local answer in ${this.signalingState}`);
        this.localDescription = this.currentLocalDescription = d;
        this.currentRemoteDescription = this.remoteDescription;
        this.pendingLocalDescription = this.pendingRemoteDescription = null;
        this._applyDirections(d.sdp);
        this._setSignaling('stable');
        break;
      case 'pranswer': // early media (SIP 183): the engine applied the answer already, media flows
        if (!answering) throw domError('InvalidStateError', `cannot set a local pranswer in ${this.signalingState}`);
        this.localDescription = this.pendingLocalDescription = d;
        this._applyDirections(d.sdp);
        this._setSignaling('have-local-pranswer');
        break;
      case 'rollback':
        if (this.signalingState !== 'have-local-offer') throw domError('InvalidStateError', `cannot roll back a local offer in ${this.signalingState}`);
        await this._rollback();
        return;
      default:
        throw new TypeError(`unknown description type: ${d.type}`);
    }
    this._gatheringComplete(d.sdp);
  }

  /** JSEP rollback of the pending offer (ours or the peer's): the engine goes back to the last negotiated call. */
  async _rollback() {
    if (this._sessionId || this._sessionPromise) await this._send('setRemoteDescription', { type: 'ROLLBACK', sdp: '' }, await this._session());
    this.localDescription = this.currentLocalDescription;
    this.remoteDescription = this.currentRemoteDescription;
    this.pendingLocalDescription = this.pendingRemoteDescription = null;
    this._remoteOffer = null;
    this._setSignaling('stable');
  }

  async setRemoteDescription(description) {
    this._checkOpen();
    if (description?.type === 'rollback') {
      if (this.signalingState !== 'have-remote-offer') throw domError('InvalidStateError', `cannot roll back a remote offer in ${this.signalingState}`);
      await this._rollback();
      return;
    }
    if (!description || typeof description.sdp !== 'string' || !description.type) throw new TypeError('setRemoteDescription needs {type, sdp}');
    const d = { type: description.type, sdp: description.sdp };
    switch (d.type) {
      case 'pranswer': { // early media (SIP 183 with SDP): media flows, the final answer follows
        if (this.signalingState !== 'have-local-offer' && this.signalingState !== 'have-remote-pranswer') {
          throw domError('InvalidStateError', `cannot set a remote pranswer in ${this.signalingState}`);
        }
        const sessionId = await this._session();
        await this._send('setRemoteDescription', { type: 'PRANSWER', sdp: d.sdp }, sessionId);
        this.remoteDescription = this.pendingRemoteDescription = d;
        this._setSignaling('have-remote-pranswer');
        this._remoteTracks(d.sdp);
        break;
      }
      case 'answer': {
        if (this.signalingState !== 'have-local-offer' && this.signalingState !== 'have-remote-pranswer') {
          throw domError('InvalidStateError', `cannot set a remote answer in ${this.signalingState}`);
        }
        const sessionId = await this._session();
        await this._send('setRemoteDescription', { type: 'ANSWER', sdp: d.sdp }, sessionId);
        this.remoteDescription = this.currentRemoteDescription = d;
        this.currentLocalDescription = this.localDescription;
        this.pendingLocalDescription = this.pendingRemoteDescription = null;
        this._setSignaling('stable');
        this._remoteTracks(d.sdp);
        break;
      }
      case 'offer': {
        if (this.signalingState === 'have-local-offer') await this._rollback(); // W3C implicit rollback on glare
        if (this.signalingState !== 'stable' && this.signalingState !== 'have-remote-offer') {
          throw domError('InvalidStateError', `cannot set a remote offer in ${this.signalingState}`);
        }
        const sections = mediaSections(d.sdp);
        for (const s of sections) {
          if (s.kind !== 'audio' && s.kind !== 'video') throw domError('NotSupportedError', `VMC takes audio and video media sections, not ${s.kind}`);
        }
        if (!sections.some((s) => s.kind === 'audio')) {
          throw domError('NotSupportedError', 'VMC\'s engine answers offers with an audio section; this offer has video only (a VMC peer connection can offer video only: its audio section is inactive)');
        }
        this._remoteOffer = d.sdp;
        this._offeredKinds = new Set(mediaSections(d.sdp).map((s) => s.kind));
        await this._session();
        this.remoteDescription = this.pendingRemoteDescription = d;
        this._setSignaling('have-remote-offer');
        this._remoteTracks(d.sdp);
        break;
      }
      default:
        throw new TypeError(`unknown description type: ${d.type}`);
    }
  }

  async addIceCandidate(candidate) {
    this._checkOpen();
    if (!this.remoteDescription) throw domError('InvalidStateError', 'addIceCandidate needs a remote description first');
    const c = candidate ?? {};
    const line = (typeof c === 'string' ? c : c.candidate ?? '').replace(/^a=/, '').replace(/^candidate:/, '');
    const sessionId = await this._session();
    await this._send('addRemoteCandidate', { candidate: line, mid: c.sdpMid ?? '', mLineIndex: c.sdpMLineIndex ?? 0 }, sessionId);
  }

  restartIce() {
    if (this.signalingState === 'closed') return;
    this._iceRestart = true;
    this._negotiationNeeded();
  }

  getConfiguration() { return { ...this._config }; }
  setConfiguration(configuration) {
    this._checkOpen();
    const config = configuration ?? {};
    if (config.certificates && config.certificates !== this._config.certificates) throw domError('InvalidModificationError', 'certificates cannot change');
    this._config = { ...config };
  }

  async getStats(selector) {
    this._checkOpen();
    if (!this._sessionId) return new Map();
    void selector; // one report for the whole session: the engine measures per session
    return toStatsReport(await this._send('getStats', {}, this._sessionId));
  }

  close() {
    if (this.signalingState === 'closed') return;
    this.signalingState = 'closed';
    this.connectionState = 'closed';
    this.iceConnectionState = 'closed';
    for (const t of this._transceivers) {
      t._stopped = true;
      t.receiver.track._end();
    }
    this._unsubscribe();
    if (this._sessionId) this._send('closeSession', {}, this._sessionId).catch(() => {});
    else if (this._sessionPromise) this._sessionPromise.then((id) => this._vmc._connection.call('closeSession', { sessionId: id })).catch(() => {});
  }

  /** The vmc.v1 session behind this peer connection (null before the first negotiation). */
  get vmcSessionId() { return this._sessionId; }

  // ------------------------------------------------------------ inside

  _checkOpen() {
    if (this.signalingState === 'closed') throw domError('InvalidStateError', 'the peer connection is closed');
  }

  _session() {
    if (!this._sessionPromise) {
      const kinds = new Set([...this._transceivers.map((t) => t._kind), ...(this._offeredKinds ?? [])]);
      const screenShare = this._transceivers.some((t) => t.sender.track?._screen);
      // the engine's calls always carry an audio section: a video-only call has it inactive (_directions)
      const options = { audio: true, video: kinds.has('video') || screenShare, label: this._vmc._label };
      if (screenShare) options.screenShare = true;
      this._sessionPromise = this._vmc._connection.call('createSession', { options }).then((r) => {
        this._sessionId = r.sessionId;
        for (const fn of this._afterSession ?? []) fn(r.sessionId);
        this._afterSession = null;
        if (this.signalingState === 'closed') this._vmc._connection.call('closeSession', { sessionId: r.sessionId }).catch(() => {});
        return r.sessionId;
      }, (e) => {
        this._sessionPromise = null;
        throw domError('OperationError', `VMC could not create a session: ${e.message}`);
      });
    }
    return this._sessionPromise;
  }

  _whenSession(fn) {
    if (this._sessionId) fn(this._sessionId);
    else (this._afterSession ??= []).push(fn);
  }

  /** One request for this session; vmc.v1 errors become the W3C OperationError. */
  async _send(method, fields, sessionId = this._sessionId) {
    try {
      return await this._vmc._connection.call(method, { sessionId, ...fields });
    } catch (e) {
      const name = e.code === 'INVALID_ARGUMENT' ? 'InvalidAccessError' : e.code === 'FAILED_PRECONDITION' ? 'InvalidStateError' : 'OperationError';
      const err = domError(name, `${method}: ${e.message}`);
      Object.defineProperty(err, 'vmcCode', { value: e.code });
      throw err;
    }
  }

  /**
   * A getDisplayMedia track joined this connection: the thin client's user is asked now (the engine
   * needs the session to ask for). Refused: the track ends and carries the reason in vmcError.
   */
  _startScreenShare(track) {
    track._stopShare = () => this._send('stopScreenShare', {}).catch(() => {});
    this._send('startScreenShare', track._screen).catch((e) => {
      track.vmcError = e;
      track._end();
    });
  }

  /** The transceivers' directions for the engine (vmc.v1 MediaDirection): what the page does not send is never sent. */
  _directions() {
    const of = (kind) => {
      const t = this._transceivers.find((x) => x._kind === kind && !x.stopped);
      if (!t) return kind === 'audio' ? 'INACTIVE' : undefined;
      return t.direction.toUpperCase();
    };
    const out = {};
    const audio = of('audio');
    const video = of('video');
    if (audio) out.audioDirection = audio;
    if (video) out.videoDirection = video;
    return out;
  }

  _selectDevice(track) {
    const kind = track.kind === 'audio' ? 'MICROPHONE' : 'CAMERA';
    return this._send('selectDevice', { deviceId: track.deviceId, kind }).catch(() => {}); // the engine falls back to its default device
  }

  _setSignaling(state) {
    if (this.signalingState === state) return;
    this.signalingState = state;
    this.dispatchEvent(new Event('signalingstatechange'));
    if (state === 'stable' && this._negotiationPendingWhileBusy) {
      this._negotiationPendingWhileBusy = false;
      this._negotiationNeeded();
    }
  }

  _negotiationNeeded() {
    if (this.signalingState !== 'stable') {
      this._negotiationPendingWhileBusy = true;
      return;
    }
    if (this._negotiationQueued) return;
    this._negotiationQueued = true;
    queueTask(() => {
      this._negotiationQueued = false;
      if (this.signalingState === 'stable') this.dispatchEvent(new Event('negotiationneeded'));
    });
  }

  /** The engine puts its candidates into the SDP: gathering is complete when the description is set. */
  _gatheringComplete(sdp) {
    if (this.iceGatheringState === 'complete' && !this._iceRestartedSdp(sdp)) return;
    this._lastUfrag = /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
    this.iceGatheringState = 'gathering';
    this.dispatchEvent(new Event('icegatheringstatechange'));
    queueTask(() => {
      if (this.signalingState === 'closed') return;
      const lines = sdp.split(/\r?\n/);
      let index = -1;
      let mid = null;
      for (const line of lines) {
        if (line.startsWith('m=')) { index++; mid = String(index); }
        const m = /^a=mid:(\S+)/.exec(line);
        if (m) mid = m[1];
        if (line.startsWith('a=candidate:')) this._emitCandidate(line.slice(2), mid, index);
      }
      this.iceGatheringState = 'complete';
      this.dispatchEvent(new Event('icegatheringstatechange'));
      this.dispatchEvent(makeEvent('icecandidate', { candidate: null }));
    });
  }

  _iceRestartedSdp(sdp) {
    return /a=ice-ufrag:(\S+)/.exec(sdp)?.[1] !== this._lastUfrag;
  }

  _emitCandidate(candidate, sdpMid, sdpMLineIndex) {
    const init = { candidate, sdpMid, sdpMLineIndex, usernameFragment: this._lastUfrag ?? null };
    this.dispatchEvent(makeEvent('icecandidate', { candidate: { ...init, toJSON: () => init } }));
  }

  /** Receivers for the remote media sections; `track` for each new one, as a browser does. */
  _remoteTracks(sdp) {
    mediaSections(sdp).forEach((section, i) => {
      if (section.kind !== 'audio' && section.kind !== 'video') return;
      let t = this._transceivers.find((x) => x.mid === section.mid) ?? this._transceivers.find((x) => x.mid === null && x._kind === section.kind);
      if (!t) {
        t = new VmcRtpTransceiver(this, section.kind, null, 'recvonly');
        this._transceivers.push(t);
      }
      t.mid = section.mid;
      t._index = i;
      const remoteSends = section.direction === 'sendrecv' || section.direction === 'sendonly';
      if (remoteSends && !t._trackFired) {
        t._trackFired = true;
        this._remoteStream._addRemote(t.receiver.track);
        const streams = [this._remoteStream];
        queueTask(() => this.dispatchEvent(makeEvent('track', { track: t.receiver.track, streams, receiver: t.receiver, transceiver: t })));
      }
    });
  }

  _applyDirections(sdp) {
    for (const section of mediaSections(sdp)) {
      const t = this._transceivers.find((x) => x.mid === section.mid);
      if (t) t.currentDirection = section.direction;
    }
  }

  _onEvent(kind, body) {
    if (kind === 'closed') {
      this._setStates('FAILED');
      return;
    }
    if (!this._sessionId || body.sessionId !== this._sessionId || this.signalingState === 'closed') return;
    if (kind === 'sessionState') this._setStates(body.state);
    else if (kind === 'localCandidate' && body.candidate) this._emitCandidate(`candidate:${body.candidate.replace(/^candidate:/, '')}`, body.mid ?? null, body.mLineIndex ?? 0);
    else if (kind === 'renegotiationNeeded') {
      if (body.offerSdp) this._engineOffer = body.offerSdp;
      this._negotiationNeeded();
    } else if (kind === 'dtmfReceived') this.dispatchEvent(makeEvent('vmcdtmf', { tone: body.digit, duration: body.durationMs ?? 0 }));
  }

  _setStates(state) {
    const ice = ICE_STATE[state];
    const conn = CONNECTION_STATE[state];
    if (ice && ice !== this.iceConnectionState) {
      this.iceConnectionState = ice;
      this.dispatchEvent(new Event('iceconnectionstatechange'));
    }
    if (conn && conn !== this.connectionState) {
      this.connectionState = conn;
      this.dispatchEvent(new Event('connectionstatechange'));
    }
    if (state === 'CLOSED' || state === 'FAILED') for (const t of this._transceivers) t.receiver.track._end();
  }
}
defineEventHandlers(VmcPeerConnection.prototype, ['track', 'icecandidate', 'icecandidateerror', 'negotiationneeded', 'signalingstatechange',
  'iceconnectionstatechange', 'icegatheringstatechange', 'connectionstatechange', 'datachannel', 'vmcdtmf']);
