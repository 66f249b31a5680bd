import { test } from 'node:test';
import assert from 'node:assert/strict';
import { install, VmcPeerConnection, VmcMediaStream } from '../src/index.js';
import { fakeAgentd, refusedLink } from './fake-agentd.js';
import { pageWindow } from './fake-dom.js';

test('drop-in: new RTCPeerConnection, getUserMedia and MediaStream of an unmodified page are VMC\'s when OPTIMIZED', async () => {
  const win = pageWindow();
  const NativePC = win.RTCPeerConnection;
  const vmc = install({ window: win, link: fakeAgentd({ devices: [{ id: 'mic-1', name: 'Headset', kind: 'MICROPHONE' }] }) });
  assert.equal(install({ window: win }), vmc, 'installing twice changes nothing');
  const early = new win.RTCPeerConnection({});
  assert.ok(early instanceof NativePC, 'before the mode is known, the browser\'s own: the page always works');
  await vmc.ready;
  assert.equal(win.navigator.mediaDevices.isCallRedirectionEnabled, true);
  const pc = new win.RTCPeerConnection({ iceServers: [] });
  assert.ok(pc instanceof VmcPeerConnection);
  assert.ok(pc instanceof win.RTCPeerConnection, 'instanceof RTCPeerConnection still holds');
  assert.ok(early instanceof win.RTCPeerConnection);
  assert.equal(win.RTCPeerConnection.generateCertificate(), 'cert');
  assert.throws(() => win.RTCPeerConnection(), TypeError);
  const stream = await win.navigator.mediaDevices.getUserMedia({ audio: true });
  assert.ok(stream instanceof VmcMediaStream);
  assert.equal(stream.getTracks()[0].label, 'Headset');
  assert.equal((await win.navigator.mediaDevices.enumerateDevices())[0].deviceId, 'mic-1');
  const copy = new win.MediaStream(stream.getTracks());
  assert.ok(copy instanceof VmcMediaStream);
  assert.ok(copy instanceof win.MediaStream);
  assert.ok(new win.MediaStream([]) instanceof win.MediaStream);
  let changes = 0;
  win.navigator.mediaDevices.addEventListener('devicechange', () => changes++);
  vmc.dispatchEvent(new Event('devicechange'));
  assert.equal(changes, 1);
});

test('drop-in without agentd: everything stays the browser\'s own', async () => {
  const win = pageWindow();
  const NativePC = win.RTCPeerConnection;
  const vmc = install({ window: win, link: refusedLink() });
  await vmc.ready;
  assert.equal(vmc.mode, 'FALLBACK');
  assert.equal(win.navigator.mediaDevices.isCallRedirectionEnabled, false);
  assert.ok(new win.RTCPeerConnection({}) instanceof NativePC);
  assert.equal(await win.navigator.mediaDevices.getUserMedia({ audio: true }), 'browser stream');
});
