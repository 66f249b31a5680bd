'use strict';
// A WebRTC peer as a web page builds one: the browser's own RTCPeerConnection with the (fake)
// camera and microphone. driver.js calls the functions of window.peer; each returns plain JSON.
// What the page receives is read back as a user would check it: the tone it hears (WebAudio
// analyser), the colour it sees (the <video> drawn into a canvas) and getStats().

const ONSET_LEVEL = 0.02; // peak amplitude that counts as "audio decoded" (the tone is at -6 dBFS)

let pc = null;
let local = null;
let remote = null;
let candidates = [];
let audioContext = null;
let analyser = null;
let offerAt = null;
let firstAudioAt = null;
let onsetTimer = null;

function gatheringComplete() {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise(resolve => {
    const check = () => {
      if (pc.iceGatheringState === 'complete') {
        pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      }
    };
    pc.addEventListener('icegatheringstatechange', check);
  });
}

function hearRemoteAudio(track) {
  // Chromium feeds a remote track into WebAudio only while a media element plays it.
  const element = new Audio();
  element.muted = true;
  element.srcObject = new MediaStream([track]);
  element.play().catch(e => console.log('audio element: ' + e));
  audioContext = new AudioContext();
  audioContext.resume();
  analyser = audioContext.createAnalyser();
  analyser.fftSize = 16384;
  analyser.smoothingTimeConstant = 0;
  audioContext.createMediaStreamSource(new MediaStream([track])).connect(analyser);
  const samples = new Float32Array(2048);
  onsetTimer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    if (samples.some(s => Math.abs(s) > ONSET_LEVEL)) {
      firstAudioAt = performance.now();
      clearInterval(onsetTimer);
      onsetTimer = null;
    }
  }, 2);
}

window.peer = {
  /** Opens the devices and a new RTCPeerConnection (closing any previous one), with a data channel if asked. */
  async start({audio = true, video = true, bundlePolicy = 'balanced', dataChannel = false} = {}) {
    this.close();
    local = await navigator.mediaDevices.getUserMedia({
      audio,
      video: video ? {width: 320, height: 240, frameRate: 30} : false,
    });
    // No ICE servers: no STUN lookups leave the test's network.
    pc = new RTCPeerConnection({iceServers: [], bundlePolicy});
    local.getTracks().forEach(t => pc.addTrack(t, local));
    if (dataChannel) pc.createDataChannel('chat'); // an m=application line, as chat-enabled call pages offer
    remote = new MediaStream();
    pc.onicecandidate = e => {
      candidates.push(e.candidate
        ? {candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex}
        : null);
    };
    pc.ontrack = e => {
      remote.addTrack(e.track);
      if (e.track.kind === 'audio') hearRemoteAudio(e.track);
      if (e.track.kind === 'video') document.getElementById('remote').srcObject = remote;
    };
    return {tracks: local.getTracks().map(t => t.kind + ':' + t.label)};
  },

  /** createOffer + setLocalDescription; with gather, waits for all candidates to be in the SDP. */
  async offer({gather = true, iceRestart = false} = {}) {
    if (offerAt === null) offerAt = performance.now();
    const offer = await pc.createOffer({iceRestart});
    await pc.setLocalDescription(offer);
    if (gather) await gatheringComplete();
    return pc.localDescription.sdp;
  },

  /** setRemoteDescription(offer) + createAnswer + setLocalDescription. */
  async answer(sdp, {gather = true} = {}) {
    await pc.setRemoteDescription({type: 'offer', sdp});
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    if (gather) await gatheringComplete();
    return pc.localDescription.sdp;
  },

  /** setRemoteDescription(answer). */
  async accept(sdp) {
    await pc.setRemoteDescription({type: 'answer', sdp});
    return pc.signalingState;
  },

  /** A trickled remote candidate; null (or an empty candidate) is the end of candidates. */
  async addCandidate(c) {
    await pc.addIceCandidate(c && c.candidate ? c : undefined);
    return true;
  },

  /** The local candidates gathered since the last call (null marks the end of gathering). */
  takeCandidates() {
    const taken = candidates;
    candidates = [];
    return taken;
  },

  /** The strongest frequency the page hears from the far side, in Hz, and its level in dB. */
  hearing() {
    if (!analyser) return {hz: 0, db: -Infinity};
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    let best = 1;
    for (let i = 2; i < bins.length - 1; i++) if (bins[i] > bins[best]) best = i;
    // Parabolic interpolation between the neighbouring bins (levels in dB).
    const a = bins[best - 1], b = bins[best], c = bins[best + 1];
    const shift = (a - 2 * b + c) === 0 ? 0 : 0.5 * (a - c) / (a - 2 * b + c);
    const hz = (best + shift) * audioContext.sampleRate / analyser.fftSize;
    return {hz, db: b};
  },

  /**
   * The mean colour of a small block of the far side's video centred at the fractions fx, fy of its
   * width and height (a screen share's quadrants), and the video's size in pixels.
   */
  seeingAt(fx, fy) {
    const video = document.getElementById('remote');
    if (!video.videoWidth) return {r: -1, g: -1, b: -1, width: 0, height: 0};
    const canvas = document.getElementById('frame');
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const x = Math.max(0, Math.min(canvas.width - 8, Math.round(fx * canvas.width) - 4));
    const y = Math.max(0, Math.min(canvas.height - 6, Math.round(fy * canvas.height) - 3));
    const px = ctx.getImageData(x, y, 8, 6).data;
    let r = 0, g = 0, b = 0;
    for (let i = 0; i < px.length; i += 4) { r += px[i]; g += px[i + 1]; b += px[i + 2]; }
    const n = px.length / 4;
    return {r: Math.round(r / n), g: Math.round(g / n), b: Math.round(b / n),
            width: video.videoWidth, height: video.videoHeight};
  },

  /** The mean colour of the middle of the far side's video, and its size in pixels. */
  seeing() {
    const video = document.getElementById('remote');
    if (!video.videoWidth) return {r: -1, g: -1, b: -1, width: 0, height: 0};
    const canvas = document.getElementById('frame');
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const px = ctx.getImageData(16, 12, 32, 24).data;
    let r = 0, g = 0, b = 0;
    for (let i = 0; i < px.length; i += 4) { r += px[i]; g += px[i + 1]; b += px[i + 2]; }
    const n = px.length / 4;
    return {r: Math.round(r / n), g: Math.round(g / n), b: Math.round(b / n),
            width: video.videoWidth, height: video.videoHeight};
  },

  /** What getStats() says about the transport, the selected pair and the RTP streams. */
  async stats() {
    const out = {connectionState: pc.connectionState, iceConnectionState: pc.iceConnectionState,
                 transports: [], pair: null, inbound: {}, outbound: {}};
    const report = await pc.getStats();
    const byId = new Map();
    report.forEach(s => byId.set(s.id, s));
    report.forEach(s => {
      if (s.type === 'transport') {
        out.transports.push({dtlsState: s.dtlsState, srtpCipher: s.srtpCipher, tlsVersion: s.tlsVersion,
                             dtlsRole: s.dtlsRole, iceState: s.iceState});
        const pair = byId.get(s.selectedCandidatePairId);
        if (pair) {
          const l = byId.get(pair.localCandidateId), r = byId.get(pair.remoteCandidateId);
          out.pair = {state: pair.state, local: l && (l.address + ':' + l.port), remote: r && (r.address + ':' + r.port),
                      protocol: l && l.protocol, localType: l && l.candidateType, remoteType: r && r.candidateType};
        }
      } else if (s.type === 'inbound-rtp') {
        out.inbound[s.kind] = {packetsReceived: s.packetsReceived, bytesReceived: s.bytesReceived,
                               framesDecoded: s.framesDecoded, totalSamplesReceived: s.totalSamplesReceived,
                               codec: byId.get(s.codecId) && byId.get(s.codecId).mimeType};
      } else if (s.type === 'outbound-rtp') {
        out.outbound[s.kind] = {packetsSent: s.packetsSent, bytesSent: s.bytesSent, framesEncoded: s.framesEncoded,
                                codec: byId.get(s.codecId) && byId.get(s.codecId).mimeType};
      }
    });
    return out;
  },

  /** Milliseconds from this connection's first offer to the first audio heard (for the offerer). */
  setupTime() {
    return {offerToFirstAudioMs: offerAt !== null && firstAudioAt !== null ? firstAudioAt - offerAt : null,
            heard: firstAudioAt !== null};
  },

  close() {
    if (onsetTimer) clearInterval(onsetTimer);
    if (pc) pc.close();
    if (local) local.getTracks().forEach(t => t.stop());
    if (audioContext) audioContext.close();
    pc = local = remote = analyser = audioContext = onsetTimer = null;
    offerAt = firstAudioAt = null;
    candidates = [];
    return true;
  },
};
