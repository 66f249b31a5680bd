import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VMC } from '../src/index.js';
import { fakeAgentd, until } from './fake-agentd.js';

const browser = { getDisplayMedia: async () => 'browser screen' };

test('getDisplayMedia gives a screen track; on a peer connection it makes a screen-share session and asks the engine to share', async () => {
  const link = fakeAgentd();
  const vmc = await VMC.connect({ link, browser });
  const stream = await vmc.getDisplayMedia({ area: { x: 10, y: 20, width: 800, height: 600 }, screenWidth: 1920, screenHeight: 1080, frameRate: 15, title: 'slides.odp' });
  const [track] = stream.getVideoTracks();
  assert.equal(track.kind, 'video');
  assert.equal(track.contentHint, 'detail');
  const pc = vmc.createPeerConnection({ iceServers: [] });
  pc.addTrack(track, stream);
  await pc.createOffer();
  assert.deepEqual(link.of('createSession')[0].options, { audio: true, video: true, screenShare: true, label: '' });
  await until(() => link.of('startScreenShare').length === 1);
  assert.deepEqual(link.of('startScreenShare')[0], { method: 'startScreenShare', sessionId: 's-1', maxFps: 15, title: 'slides.odp',
    area: { x: 10, y: 20, width: 800, height: 600 }, screenWidth: 1920, screenHeight: 1080 });
  track.stop();
  await until(() => link.of('stopScreenShare').length === 1);
  vmc.close();
});

test('a share the user refuses ends the track with the reason', async () => {
  const link = fakeAgentd({ handlers: { startScreenShare: () => ({ error: { code: 'PERMISSION_DENIED', message: 'screen share refused: the user denied it' } }) } });
  const vmc = await VMC.connect({ link, browser });
  const [track] = (await vmc.getDisplayMedia({ video: true })).getVideoTracks();
  let ended = false;
  track.onended = () => { ended = true; };
  const pc = vmc.createPeerConnection({ iceServers: [] });
  pc.addTrack(track);
  await pc.createOffer();
  await until(() => ended);
  assert.equal(track.readyState, 'ended');
  assert.match(track.vmcError.message, /denied/);
  vmc.close();
});

test('bad getDisplayMedia options are refused; FALLBACK uses the browser', async () => {
  const vmc = await VMC.connect({ link: fakeAgentd(), browser });
  await assert.rejects(vmc.getDisplayMedia({ frameRate: 60 }), /frameRate/);
  await assert.rejects(vmc.getDisplayMedia({ area: { x: 0, y: 0, width: -1, height: 5 }, screenWidth: 10, screenHeight: 10 }), /area/);
  await assert.rejects(vmc.getDisplayMedia({ title: 'x'.repeat(129) }), /title/);
  vmc.close();
  const fallback = await VMC.connect({ link: fakeAgentd({ mode: 'FALLBACK' }), browser });
  assert.equal(await fallback.getDisplayMedia({ video: true }), 'browser screen');
  fallback.close();
});
