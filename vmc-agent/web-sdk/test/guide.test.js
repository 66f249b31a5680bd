// Runs the JavaScript blocks of docs/softphone-developer-guide.md §9, in order, as one module,
// against the fake agentd: the guide cannot drift from the SDK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fakeAgentd, OFFER_SDP } from './fake-agentd.js';
import { elementWindow, pageWindow } from './fake-dom.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const GUIDE = path.join(here, '..', '..', '..', 'docs', 'softphone-developer-guide.md');
const SECRET = 'vmc1.1000.guide-secret';
const DEVICES = [{ id: 'mic-jabra', name: 'Jabra Evolve 40', kind: 'MICROPHONE', isDefault: true }, { id: 'mic-builtin', name: 'Built-in', kind: 'MICROPHONE' }];

/** A WebSocket to the fake agentd that checks what the SDK presents at the handshake. */
class GuideWebSocket {
  constructor(url, protocols) {
    assert.equal(url, 'ws://127.0.0.1:7411/vmc.v1');
    assert.deepEqual(protocols, ['vmc.v1.json', 'vmc.secret.' + SECRET]);
    const link = fakeAgentd({ devices: DEVICES, handlers: {
      setRemoteDescription: (r) => { link.event('sessionState', { sessionId: r.sessionId, state: 'CONNECTED' }); return { empty: {} }; },
    } });
    GuideWebSocket.links.push(link);
    link.onopen = () => this.onopen();
    link.onmessage = (text) => this.onmessage({ data: text });
    this.send = (t) => link.send(t);
    this.close = () => {};
  }
}
GuideWebSocket.links = [];

test('the JavaScript blocks of the developer guide run, and do what they say', async () => {
  const guide = fs.readFileSync(GUIDE, 'utf8');
  const section = guide.slice(guide.indexOf('## 9. JavaScript'), guide.indexOf('## 10.'));
  const blocks = [...section.matchAll(/```javascript\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 4, `blocks found: ${blocks.length}`);
  const code = blocks.join('\n');
  const imports = [...new Set(code.match(/^import .*$/gm))].map((l) => l.replace("'@vmc/web-sdk'", `'${pathToFileURL(path.join(here, '..', 'src', 'index.js'))}'`));
  const body = code.replace(/^import .*$/gm, '');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-guide-')), 'guide.mjs');
  fs.writeFileSync(file, `${imports.join('\n')}\nconst { url, secret, remoteAudio, sendInvite, answerFromThe200Ok, answerFromThe183, document, page } = globalThis.guide;\n${body}`);

  const { win } = elementWindow();
  const invites = [];
  globalThis.guide = { url: 'ws://127.0.0.1:7411/vmc.v1', secret: SECRET, remoteAudio: {}, sendInvite: (sdp) => invites.push(sdp),
    answerFromThe200Ok: async () => OFFER_SDP, answerFromThe183: async () => OFFER_SDP, document: win.document, page: pageWindow() };
  const logged = [];
  const { log } = console;
  globalThis.WebSocket = GuideWebSocket;
  globalThis.window = win;
  console.log = (...a) => logged.push(a.join(' '));
  try {
    await import(pathToFileURL(file));
  } finally {
    console.log = log;
    delete globalThis.WebSocket;
    delete globalThis.window;
  }
  assert.equal(invites[0], OFFER_SDP);
  assert.deepEqual(logged.slice(0, 2), ['OPTIMIZED ENGINE_CONNECTED', 'call connected']);
  assert.ok(logged.includes('received 240 jitter 0.004 s'), logged.join('\n'));
  assert.ok(logged.includes('round trip 0.02 s'));
  assert.ok(logged.includes('true true'), 'drop-in: the page\'s RTCPeerConnection is VMC\'s');
  const first = GuideWebSocket.links[0];
  assert.equal(first.of('selectDevice').at(-1).deviceId, 'mic-jabra');
  assert.deepEqual(first.of('sendDtmf').map((r) => r.digits), ['123#']);
  assert.equal(first.of('setVideoGeometry')[0].area.width, 160);
  assert.equal(first.of('setVideoGeometry').at(-1).clear, true);
  assert.equal(first.of('closeSession').length, 1);
});
