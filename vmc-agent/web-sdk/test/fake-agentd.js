// A stand-in for agentd's web API in unit tests: a link that answers vmc.v1 JSON requests with
// handlers, records what it was sent and pushes events. The real agentd is in the Java tests.

export const OFFER_SDP = [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
  'm=audio 40000 RTP/SAVP 111 0', 'a=mid:0', 'a=ice-ufrag:abcd', 'a=ice-pwd:0123456789012345678901',
  'a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host', 'a=sendrecv', '',
].join('\r\n');

export function fakeAgentd({ mode = 'OPTIMIZED', devices = [], handlers = {} } = {}) {
  const requests = [];
  let sessions = 0;
  const link = { onopen() {}, onmessage() {}, onclose() {}, closed: false };
  const defaults = {
    getStatus: () => ({ status: { mode, reason: mode === 'OPTIMIZED' ? 'ENGINE_CONNECTED' : 'NO_ENGINE', detail: 'vmc-engine/test' } }),
    createSession: () => ({ sessionCreated: { sessionId: `s-${++sessions}` } }),
    createOffer: (r) => ({ description: { type: 'OFFER', sdp: r.iceRestart ? OFFER_SDP.replace('abcd', 'efgh') : OFFER_SDP } }),
    createAnswer: () => ({ description: { type: 'ANSWER', sdp: OFFER_SDP } }),
    listDevices: () => ({ devices: { devices } }),
    getStats: (r) => ({ stats: { sessionId: r.sessionId, timestampMs: '1700000000000', streams: [{ kind: 'AUDIO', codec: 'opus', encrypted: true, packetsSent: '250', bytesSent: '40000', packetsReceived: '240', bytesReceived: '38000', packetsLost: '3', fractionLost: 0.01, jitterMs: 4, rttMs: 20, audioLevelDbov: -20, localAddress: '127.0.0.1:40000', remoteAddress: '127.0.0.1:40002', localCandidateType: 'host', remoteCandidateType: 'host' }] } }),
  };
  link.send = (text) => {
    const { request } = JSON.parse(text);
    const [method] = Object.keys(request).filter((k) => k !== 'id');
    requests.push({ method, ...request[method] });
    const handler = handlers[method] ?? defaults[method] ?? (() => ({ empty: {} }));
    Promise.resolve().then(() => {
      const result = handler(request[method]);
      if (result !== undefined) link.onmessage(JSON.stringify({ response: { id: request.id, ...result } }));
    });
  };
  link.close = () => { link.closed = true; };
  link.event = (kind, body) => link.onmessage(JSON.stringify({ event: { [kind]: body } }));
  link.requests = requests;
  link.of = (method) => requests.filter((r) => r.method === method);
  setTimeout(() => link.onopen(), 0);
  return link;
}

/** A link to nowhere: the handshake was refused (no secret, wrong secret, Origin not allowed). */
export function refusedLink() {
  const link = { onopen() {}, onmessage() {}, onclose() {}, send() {}, close() {} };
  setTimeout(() => link.onclose('closed (1006)'), 0);
  return link;
}

/** Waits until cond() is true (events are asynchronous). */
export async function until(cond, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms: ${cond}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
