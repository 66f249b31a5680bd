import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VMC, VmcPeerConnection } from '../src/index.js';
import { fakeAgentd, refusedLink, until, OFFER_SDP } from './fake-agentd.js';

const DEVICES = [
  { id: 'mic-usb-1', name: 'Jabra Evolve', kind: 'MICROPHONE', isDefault: true },
  { id: 'mic-builtin', name: 'Built-in microphone', kind: 'MICROPHONE' },
  { id: 'spk-1', name: 'Jabra Evolve', kind: 'SPEAKER', isDefault: true },
  { id: 'cam-1', name: 'Logitech C920', kind: 'CAMERA', isDefault: true },
];
const browserPC = class BrowserRTCPeerConnection { constructor(config) { this.config = config; } };
const browser = { RTCPeerConnection: browserPC, getUserMedia: async () => 'browser stream', enumerateDevices: async () => ['browser devices'] };

async function optimized(options = {}) {
  const link = fakeAgentd({ devices: DEVICES, ...options });
  const vmc = await VMC.connect({ link, browser });
  return { vmc, link };
}

test('an outgoing call as a SIP softphone makes it: offer, gathering complete, answer, connected', async () => {
  const { vmc, link } = await optimized();
  assert.equal(vmc.mode, 'OPTIMIZED');
  assert.equal(vmc.modeReason, 'ENGINE_CONNECTED');
  const pc = vmc.createPeerConnection({ iceServers: [] });
  assert.ok(pc instanceof VmcPeerConnection);
  const seen = [];
  for (const e of ['signalingstatechange', 'icegatheringstatechange', 'connectionstatechange', 'iceconnectionstatechange', 'negotiationneeded']) pc.addEventListener(e, () => seen.push(`${e}:${pc.signalingState}/${pc.iceGatheringState}/${pc.connectionState}`));
  const candidates = [];
  pc.onicecandidate = (e) => candidates.push(e.candidate);
  const tracks = [];
  pc.ontrack = (e) => tracks.push(e);
  const stream = await vmc.getUserMedia({ audio: true });
  const sender = pc.addTrack(stream.getAudioTracks()[0], stream);
  assert.deepEqual(pc.getSenders(), [sender]);

  const offer = await pc.createOffer(null); // JsSIP passes null constraints
  assert.equal(offer.type, 'offer');
  assert.equal(offer.sdp, OFFER_SDP);
  assert.deepEqual(link.of('createSession')[0].options, { audio: true, video: false, label: '' });
  await pc.setLocalDescription(offer);
  assert.equal(pc.signalingState, 'have-local-offer');
  await until(() => candidates.includes(null));
  assert.equal(pc.iceGatheringState, 'complete');
  assert.equal(candidates[0].candidate, 'candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host');
  assert.equal(candidates[0].sdpMid, '0');
  assert.equal(pc.localDescription.sdp, OFFER_SDP);

  await pc.setRemoteDescription({ type: 'answer', sdp: OFFER_SDP.replace('127.0.0.1 40000', '127.0.0.1 40002') });
  assert.equal(pc.signalingState, 'stable');
  assert.equal(link.of('setRemoteDescription')[0].type, 'ANSWER');
  await until(() => tracks.length === 1);
  assert.equal(tracks[0].track.kind, 'audio');
  assert.equal(tracks[0].streams[0].getTracks()[0], tracks[0].track);
  assert.equal(tracks[0].receiver, pc.getReceivers()[0]);

  link.event('sessionState', { sessionId: 's-1', state: 'CONNECTING' });
  link.event('sessionState', { sessionId: 's-1', state: 'CONNECTED' });
  link.event('sessionState', { sessionId: 's-other', state: 'FAILED' }); // another call's
  assert.equal(pc.connectionState, 'connected');
  assert.equal(pc.iceConnectionState, 'connected');
  assert.ok(seen.includes('connectionstatechange:stable/complete/connected'), seen.join(' '));
  assert.equal(link.of('selectDevice')[0].deviceId, 'mic-usb-1');

  const report = await pc.getStats();
  const byType = (t) => [...report.values()].filter((s) => s.type === t);
  assert.equal(byType('inbound-rtp')[0].packetsReceived, 240);
  assert.equal(byType('inbound-rtp')[0].jitter, 0.004);
  assert.equal(byType('outbound-rtp')[0].bytesSent, 40000);
  assert.equal(byType('remote-inbound-rtp')[0].roundTripTime, 0.02);
  assert.equal(byType('candidate-pair')[0].nominated, true);
  assert.equal(report.get(byType('candidate-pair')[0].localCandidateId).address, '127.0.0.1');
  assert.equal(byType('inbound-rtp')[0].timestamp, 1700000000000);

  pc.close();
  assert.equal(pc.signalingState, 'closed');
  await until(() => link.of('closeSession').length === 1);
  assert.equal(tracks[0].track.readyState, 'ended');
  await assert.rejects(pc.createOffer(), { name: 'InvalidStateError' });
});

test('an incoming call: remote offer, answer from the engine, track', async () => {
  const { vmc, link } = await optimized();
  const pc = vmc.createPeerConnection(null);
  const tracks = [];
  pc.ontrack = (e) => tracks.push(e.track);
  await pc.setRemoteDescription({ type: 'offer', sdp: OFFER_SDP });
  assert.equal(pc.signalingState, 'have-remote-offer');
  const stream = await vmc.getUserMedia({ audio: { deviceId: { exact: 'mic-builtin' } } });
  pc.addTrack(stream.getTracks()[0], stream);
  const answer = await pc.createAnswer(null);
  assert.equal(link.of('createAnswer')[0].remoteSdp, OFFER_SDP);
  await pc.setLocalDescription(answer);
  assert.equal(pc.signalingState, 'stable');
  await until(() => tracks.length === 1);
  assert.equal(pc.getTransceivers().length, 1, 'the added track rides on the offered audio section');
  await until(() => link.of('selectDevice').length === 1);
  assert.equal(link.of('selectDevice')[0].deviceId, 'mic-builtin');
});

test('disabling a track mutes it in the engine; removeTrack too; negotiationneeded after changes', async () => {
  const { vmc, link } = await optimized();
  const pc = vmc.createPeerConnection();
  let needed = 0;
  pc.onnegotiationneeded = () => needed++;
  const [track] = (await vmc.getUserMedia({ audio: true })).getTracks();
  const sender = pc.addTrack(track);
  await until(() => needed === 1);
  await pc.setLocalDescription(await pc.createOffer());
  await pc.setRemoteDescription({ type: 'answer', sdp: OFFER_SDP });
  track.enabled = false;
  await until(() => link.of('setMute').some((m) => m.muted === true));
  track.enabled = true;
  await until(() => link.of('setMute').some((m) => m.muted === false));
  pc.removeTrack(sender);
  assert.equal(sender.track, null);
  await until(() => link.of('setMute').filter((m) => m.muted).length === 2);
  await until(() => needed === 2);
  assert.throws(() => pc.addTrack(track) && pc.addTrack(track), { name: 'InvalidAccessError' });
});

test('restartIce asks for negotiation and the next offer restarts ICE', async () => {
  const { vmc, link } = await optimized();
  const pc = vmc.createPeerConnection();
  pc.addTrack((await vmc.getUserMedia({ audio: true })).getTracks()[0]);
  await pc.setLocalDescription(await pc.createOffer());
  await pc.setRemoteDescription({ type: 'answer', sdp: OFFER_SDP });
  let needed = 0;
  pc.onnegotiationneeded = () => needed++;
  pc.restartIce();
  await until(() => needed === 1);
  const offer = await pc.createOffer();
  assert.equal(link.of('createOffer').at(-1).iceRestart, true);
  const gathered = [];
  pc.onicecandidate = (e) => gathered.push(e.candidate);
  await pc.setLocalDescription(offer);
  await until(() => gathered.includes(null));
  assert.equal(gathered[0].usernameFragment, 'efgh');
});

test('the engine\'s own renegotiation (a move, hold) comes as negotiationneeded and its offer', async () => {
  const { vmc, link } = await optimized();
  const pc = vmc.createPeerConnection();
  pc.addTrack((await vmc.getUserMedia({ audio: true })).getTracks()[0]);
  await pc.setLocalDescription(await pc.createOffer());
  await pc.setRemoteDescription({ type: 'answer', sdp: OFFER_SDP });
  let needed = 0;
  pc.onnegotiationneeded = () => needed++;
  link.event('renegotiationNeeded', { sessionId: 's-1', reason: 'moved to the VM', offerSdp: 'v=0\r\nengine offer\r\n' });
  await until(() => needed === 1);
  assert.equal((await pc.createOffer()).sdp, 'v=0\r\nengine offer\r\n');
  assert.equal(link.of('createOffer').length, 1, 'the engine\'s offer is used, not a second one');
});

test('DTMF: RTCDTMFSender sends each tone and fires tonechange, and refuses bad tones', async () => {
  const { vmc, link } = await optimized();
  const pc = vmc.createPeerConnection();
  const [track] = (await vmc.getUserMedia({ audio: true })).getTracks();
  const sender = pc.addTrack(track);
  assert.equal(sender.dtmf.canInsertDTMF, false);
  assert.throws(() => sender.dtmf.insertDTMF('1'), { name: 'InvalidStateError' });
  await pc.setLocalDescription(await pc.createOffer());
  await pc.setRemoteDescription({ type: 'answer', sdp: OFFER_SDP });
  link.event('sessionState', { sessionId: 's-1', state: 'CONNECTED' });
  const tones = [];
  sender.dtmf.ontonechange = (e) => tones.push(e.tone);
  assert.throws(() => sender.dtmf.insertDTMF('12x'), { name: 'InvalidCharacterError' });
  pc.createDTMFSender(track).insertDTMF('1#,9', 40, 30);
  await until(() => tones.length === 5, 8000);
  assert.deepEqual(tones, ['1', '#', ',', '9', '']);
  assert.deepEqual(link.of('sendDtmf').map((r) => r.digits), ['1#', '9'], 'one request per run of tones, the pause between them here');
  assert.equal(link.of('sendDtmf')[0].durationMs, 40);
});

test('what VMC cannot do is refused with the W3C error names', async () => {
  const { vmc } = await optimized();
  const pc = vmc.createPeerConnection();
  assert.throws(() => pc.createDataChannel('chat'), { name: 'NotSupportedError' });
  assert.throws(() => pc.addTrack({ kind: 'audio', id: 'browser-track' }), { name: 'NotSupportedError' });
  assert.throws(() => pc.addTransceiver('audio', { sendEncodings: [{}, {}] }), { name: 'NotSupportedError' });
  await assert.rejects(pc.setRemoteDescription({ type: 'pranswer', sdp: OFFER_SDP }), { name: 'InvalidStateError' }, 'a pranswer without an offer');
  await assert.rejects(pc.setRemoteDescription({ type: 'rollback' }), { name: 'InvalidStateError' }, 'rollback in stable');
  await assert.rejects(pc.setLocalDescription({ type: 'rollback' }), { name: 'InvalidStateError' }, 'rollback in stable');
  await assert.rejects(pc.setLocalDescription({ type: 'pranswer', sdp: OFFER_SDP }), { name: 'InvalidStateError' }, 'a local pranswer without a remote offer');
  await assert.rejects(pc.setRemoteDescription({ type: 'offer', sdp: 'v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n' }), { name: 'NotSupportedError' });
  await assert.rejects(pc.createAnswer(), { name: 'InvalidStateError' });
  await assert.rejects(pc.getSenders()[0]?.setParameters({}) ?? Promise.reject(new DOMException('', 'NotSupportedError')), { name: 'NotSupportedError' });
  await assert.rejects(pc.setRemoteDescription({ type: 'answer', sdp: OFFER_SDP }), { name: 'InvalidStateError' });
  await pc.setLocalDescription(await pc.createOffer({ offerToReceiveAudio: true }));
  await assert.rejects(pc.setRemoteDescription({ type: 'rollback' }), { name: 'InvalidStateError' }, 'a remote rollback of a local offer');
  await assert.rejects(pc.setRemoteDescription({ type: 'offer', sdp: 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n' }), { name: 'NotSupportedError' }, 'a video-only remote offer');
});

test('rollback, pranswer and implicit rollback (glare) as RTCPeerConnection does them', async () => {
  const { vmc, link } = await optimized();
  const pc = vmc.createPeerConnection();
  const states = [];
  pc.onsignalingstatechange = () => states.push(pc.signalingState);
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  assert.equal(link.of('createOffer')[0].audioDirection, 'RECVONLY');
  assert.equal(link.of('createOffer')[0].videoDirection, 'RECVONLY');
  // the re-INVITE is answered 491: the local offer is rolled back
  await pc.setLocalDescription({ type: 'rollback' });
  assert.equal(pc.signalingState, 'stable');
  assert.equal(pc.pendingLocalDescription, null);
  assert.deepEqual(link.of('setRemoteDescription').map((r) => r.type), ['ROLLBACK']);
  // early media: pranswer, pranswer again, then the answer
  await pc.setLocalDescription(await pc.createOffer());
  await pc.setRemoteDescription({ type: 'pranswer', sdp: OFFER_SDP });
  assert.equal(pc.signalingState, 'have-remote-pranswer');
  assert.equal(pc.currentRemoteDescription, null);
  await assert.rejects(pc.setLocalDescription({ type: 'rollback' }), { name: 'InvalidStateError' });
  await pc.setRemoteDescription({ type: 'pranswer', sdp: OFFER_SDP });
  await pc.setRemoteDescription({ type: 'answer', sdp: OFFER_SDP });
  assert.equal(pc.signalingState, 'stable');
  assert.equal(pc.currentRemoteDescription.type, 'answer');
  // glare: a remote offer while ours is pending rolls ours back (W3C implicit rollback)
  await pc.setLocalDescription(await pc.createOffer());
  await pc.setRemoteDescription({ type: 'offer', sdp: OFFER_SDP });
  assert.equal(pc.signalingState, 'have-remote-offer');
  // the peer's offer rejected (488): rolled back remotely
  await pc.setRemoteDescription({ type: 'rollback' });
  assert.equal(pc.signalingState, 'stable');
  assert.equal(pc.remoteDescription.type, 'answer', 'the last negotiated remote description again');
  // a local pranswer then the final answer: the engine answers once
  await pc.setRemoteDescription({ type: 'offer', sdp: OFFER_SDP });
  await pc.setLocalDescription({ type: 'pranswer' });
  assert.equal(pc.signalingState, 'have-local-pranswer');
  await pc.setLocalDescription({ type: 'answer' });
  assert.equal(pc.signalingState, 'stable');
  assert.equal(link.of('createAnswer').length, 1);
  assert.deepEqual(link.of('setRemoteDescription').map((r) => r.type), ['ROLLBACK', 'PRANSWER', 'PRANSWER', 'ANSWER', 'ROLLBACK', 'ROLLBACK']);
  assert.deepEqual(states, ['have-local-offer', 'stable', 'have-local-offer', 'have-remote-pranswer', 'stable', 'have-local-offer', 'stable',
    'have-remote-offer', 'stable', 'have-remote-offer', 'have-local-pranswer', 'stable']);
});

test('a video-only peer connection makes a session (its audio section inactive)', async () => {
  const { vmc, link } = await optimized();
  const pc = vmc.createPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  assert.equal(link.of('createSession')[0].options.audio, true);
  assert.equal(link.of('createSession')[0].options.video, true);
  assert.equal(link.of('createOffer')[0].audioDirection, 'INACTIVE');
  assert.equal(link.of('createOffer')[0].videoDirection, 'RECVONLY');
});

test('an engine error becomes a W3C error that keeps the vmc.v1 code', async () => {
  const { vmc } = await optimized({ handlers: { setRemoteDescription: () => ({ error: { code: 'INVALID_ARGUMENT', message: 'sdp: no audio section' } }) } });
  const pc = vmc.createPeerConnection();
  await pc.setLocalDescription(await pc.createOffer({ offerToReceiveAudio: true }));
  await assert.rejects(pc.setRemoteDescription({ type: 'answer', sdp: 'v=0\r\n' }), (e) => e.name === 'InvalidAccessError' && e.vmcCode === 'INVALID_ARGUMENT' && /no audio section/.test(e.message));
});

test('no agentd (no extension, refused): FALLBACK with its reason, the browser\'s own RTCPeerConnection and devices', async () => {
  const vmc = await VMC.connect({ link: refusedLink(), browser });
  assert.equal(vmc.mode, 'FALLBACK');
  assert.equal(vmc.modeReason, 'NO_AGENT');
  const pc = vmc.createPeerConnection({ iceServers: [] });
  assert.ok(pc instanceof browserPC);
  assert.equal(await vmc.getUserMedia({ audio: true }), 'browser stream');
  assert.deepEqual(await vmc.enumerateDevices(), ['browser devices']);
});

test('agentd without an engine: FALLBACK (NO_ENGINE), the browser carries the call; a later engine makes OPTIMIZED with an event', async () => {
  const link = fakeAgentd({ mode: 'FALLBACK' });
  const vmc = await VMC.connect({ link, browser });
  assert.equal(vmc.mode, 'FALLBACK');
  assert.equal(vmc.modeReason, 'NO_ENGINE');
  assert.ok(vmc.createPeerConnection() instanceof browserPC);
  const changes = [];
  vmc.onmodechange = (e) => changes.push(`${e.mode} ${e.reason}`);
  link.event('modeChanged', { mode: 'OPTIMIZED', reason: 'ENGINE_CONNECTED', detail: 'vmc-engine/0.1.0' });
  assert.deepEqual(changes, ['OPTIMIZED ENGINE_CONNECTED']);
  assert.ok(vmc.createPeerConnection() instanceof VmcPeerConnection);
});

test('devices: the thin client\'s labels and stable ids, the default first choice, constraints, devicechange', async () => {
  const { vmc, link } = await optimized();
  const devices = await vmc.enumerateDevices();
  assert.deepEqual(devices.map((d) => `${d.kind} ${d.deviceId} ${d.label}`), [
    'audioinput mic-usb-1 Jabra Evolve', 'audioinput mic-builtin Built-in microphone', 'audiooutput spk-1 Jabra Evolve', 'videoinput cam-1 Logitech C920']);
  assert.deepEqual(JSON.parse(JSON.stringify(devices[0])), { deviceId: 'mic-usb-1', groupId: '', kind: 'audioinput', label: 'Jabra Evolve' });
  const s = await vmc.getUserMedia({ audio: true, video: { deviceId: 'cam-1' } });
  assert.deepEqual(s.getTracks().map((t) => `${t.kind} ${t.label} ${t.getSettings().deviceId}`), ['audio Jabra Evolve mic-usb-1', 'video Logitech C920 cam-1']);
  assert.equal((await vmc.getUserMedia({ audio: { deviceId: 'gone' } })).getTracks()[0].deviceId, 'mic-usb-1', 'a plain deviceId is a wish');
  await assert.rejects(vmc.getUserMedia({ audio: { deviceId: { exact: 'gone' } } }), (e) => e.name === 'OverconstrainedError' && e.constraint === 'deviceId');
  await assert.rejects(vmc.getUserMedia({}), TypeError);
  const noCamera = await VMC.connect({ link: fakeAgentd({ devices: DEVICES.slice(0, 2) }), browser });
  await assert.rejects(noCamera.getUserMedia({ video: true }), { name: 'NotFoundError' });
  const noDevices = await VMC.connect({ link: fakeAgentd({ devices: [] }), browser });
  assert.deepEqual((await noDevices.getUserMedia({ audio: true })).getTracks().map((t) => `${t.label} [${t.deviceId}]`), ['VMC engine audio source []'],
    'an engine without listed microphones has its own source');
  let changed = 0;
  vmc.ondevicechange = () => changed++;
  link.event('deviceChanged', { device: { id: 'mic-2', kind: 'MICROPHONE' }, change: 'ADDED' });
  assert.equal(changed, 1);
});
