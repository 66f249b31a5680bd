import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection, VmcError, MAX_MESSAGE_CHARS } from '../src/connection.js';
import { fakeAgentd, refusedLink } from './fake-agentd.js';

test('a request gets its own response by id, as a string, whatever the order', async () => {
  const link = fakeAgentd({ handlers: { getStatus: () => undefined } });
  const c = new Connection(link);
  const sent = [];
  link.send = (t) => sent.push(JSON.parse(t).request.id);
  const a = c.call('getStatus');
  const b = c.call('listDevices');
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(sent, ['1', '2']);
  link.onmessage(JSON.stringify({ response: { id: '2', devices: { devices: [] } } }));
  link.onmessage(JSON.stringify({ response: { id: '1', status: { mode: 'OPTIMIZED' } } }));
  assert.deepEqual(await a, { mode: 'OPTIMIZED' });
  assert.deepEqual(await b, { devices: [] });
});

test('an error response rejects with its vmc.v1 code', async () => {
  const c = new Connection(fakeAgentd({ handlers: { getStats: () => ({ error: { code: 'NOT_FOUND', message: "no session 's-x'" } }) } }));
  await assert.rejects(c.call('getStats', { sessionId: 's-x' }), (e) => e instanceof VmcError && e.code === 'NOT_FOUND' && /no session/.test(e.message));
});

test('hostile or broken input from the socket is ignored and a valid message after it still works', async () => {
  const link = fakeAgentd();
  const c = new Connection(link);
  const events = [];
  c.onEvent((k, b) => events.push([k, b]));
  await c.open;
  for (const junk of ['', 'not json', '{"response":', 'null', '[]', '42', '{"response":null}', '{"response":{"id":"999","empty":{}}}',
    '{"event":null}', '{"event":"x"}', '\u0000\u0001', '{"__proto__":{"polluted":1}}', 'x'.repeat(300000)]) {
    link.onmessage(junk);
  }
  assert.equal({}.polluted, undefined);
  link.event('sessionState', { sessionId: 's-1', state: 'CONNECTED' });
  assert.deepEqual(events, [['sessionState', { sessionId: 's-1', state: 'CONNECTED' }]]);
  assert.equal((await c.call('getStatus')).mode, 'OPTIMIZED');
});

test('a message bigger than agentd accepts is refused before it is sent', async () => {
  const link = fakeAgentd();
  const c = new Connection(link);
  await assert.rejects(c.call('createAnswer', { sessionId: 's-1', remoteSdp: 'x'.repeat(MAX_MESSAGE_CHARS) }), (e) => e.code === 'INVALID_ARGUMENT');
  assert.equal(link.of('createAnswer').length, 0);
});

test('no answer in time rejects with DEADLINE_EXCEEDED; a late answer is dropped', async () => {
  const link = fakeAgentd({ handlers: { getStatus: () => undefined } });
  const c = new Connection(link, { timeoutMs: 30 });
  await assert.rejects(c.call('getStatus'), (e) => e.code === 'DEADLINE_EXCEEDED');
  link.onmessage(JSON.stringify({ response: { id: '1', status: {} } }));
});

test('a refused handshake rejects open and every call with UNAVAILABLE', async () => {
  const c = new Connection(refusedLink());
  await assert.rejects(c.open, (e) => e.code === 'UNAVAILABLE');
  await assert.rejects(c.call('getStatus'), (e) => e.code === 'UNAVAILABLE');
});

test('requests in flight are rejected when the connection closes', async () => {
  const link = fakeAgentd({ handlers: { getStatus: () => undefined } });
  const c = new Connection(link);
  const p = c.call('getStatus');
  await c.open;
  await new Promise((r) => setTimeout(r, 5));
  link.onclose('closed (1006)');
  await assert.rejects(p, (e) => e.code === 'UNAVAILABLE');
});
