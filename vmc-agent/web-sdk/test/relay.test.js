import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relayLink } from '../src/relay.js';
import { Connection } from '../src/connection.js';
import { until } from './fake-agentd.js';

/** A window whose postMessage reaches its 'message' listeners later, as a browser's does. */
function messageWindow() {
  const listeners = [];
  const win = {
    location: { origin: 'https://phone.example.com' },
    MessageChannel,
    addEventListener: (t, f) => listeners.push(f),
    removeEventListener: (t, f) => listeners.splice(listeners.indexOf(f), 1),
    postMessage: (data, origin, ports = []) => setTimeout(() => [...listeners].forEach((f) => f({ source: win, data, ports }))),
  };
  return win;
}

test('the page talks through the port the extension took, even when its offer crossed the relay\'s ready', async () => {
  const win = messageWindow();
  const received = [];
  let taken = null;
  win.addEventListener('message', (e) => { // the extension's relay, as extension/relay.js does it
    if (e.data?.vmcRelay !== 'connect' || taken) return;
    taken = e.ports[0];
    taken.onmessage = (m) => {
      received.push(m.data);
      if (m.data.type === 'send') taken.postMessage({ type: 'message', text: JSON.stringify({ response: { id: JSON.parse(m.data.text).request.id, status: { mode: 'OPTIMIZED' } } }) });
    };
    taken.postMessage({ type: 'hello' });
    taken.postMessage({ type: 'open' });
  });
  const c = new Connection(relayLink(win));
  win.postMessage({ vmcRelay: 'ready' }, win.location.origin); // the relay started: the page offers a second port
  assert.deepEqual(await c.call('getStatus'), { mode: 'OPTIMIZED' });
  assert.equal(received[0].type, 'send');
  c.close();
  taken.close();
});

test('no extension on the page: the link closes after the timeout and the page runs without VMC', async () => {
  const win = messageWindow();
  const c = new Connection(relayLink(win, 50));
  await assert.rejects(c.open, (e) => e.code === 'UNAVAILABLE' && /no VMC extension/.test(e.message));
});
