// vmc.v1 SessionStats -> an RTCStatsReport in the W3C shape (webrtc-stats): one inbound-rtp,
// outbound-rtp and remote-inbound-rtp per stream, the selected candidate pair and its candidates.

const num = (v) => (v === undefined ? 0 : Number(v)); // the JSON mapping writes uint64 as strings

/** `streams` are vmc.v1 StreamStats; timestampMs the engine's clock (or now). */
export function toStatsReport(sessionStats, now = Date.now()) {
  const report = new Map();
  const timestamp = num(sessionStats.timestampMs) || now;
  const add = (stats) => report.set(stats.id, { timestamp, ...stats });
  const streams = sessionStats.streams ?? [];
  const first = streams[0] ?? {};
  if (first.localAddress || first.remoteAddress) {
    const [lip, lport] = splitAddress(first.localAddress);
    const [rip, rport] = splitAddress(first.remoteAddress);
    add({ id: 'T01', type: 'transport', selectedCandidatePairId: 'CP01', dtlsState: 'new', srtpCipher: first.encrypted ? 'AES_CM_128_HMAC_SHA1_80' : undefined,
      bytesSent: sum(streams, 'bytesSent'), bytesReceived: sum(streams, 'bytesReceived'), packetsSent: sum(streams, 'packetsSent'), packetsReceived: sum(streams, 'packetsReceived') });
    add({ id: 'CL01', type: 'local-candidate', transportId: 'T01', address: lip, port: lport, protocol: 'udp', candidateType: first.localCandidateType || 'host' });
    add({ id: 'CR01', type: 'remote-candidate', transportId: 'T01', address: rip, port: rport, protocol: 'udp', candidateType: first.remoteCandidateType || 'host' });
    add({ id: 'CP01', type: 'candidate-pair', transportId: 'T01', localCandidateId: 'CL01', remoteCandidateId: 'CR01', state: 'succeeded', nominated: true,
      bytesSent: sum(streams, 'bytesSent'), bytesReceived: sum(streams, 'bytesReceived'), packetsSent: sum(streams, 'packetsSent'), packetsReceived: sum(streams, 'packetsReceived'),
      currentRoundTripTime: first.rttMs ? first.rttMs / 1000 : undefined });
  }
  streams.forEach((s, i) => {
    const kind = (s.kind ?? 'AUDIO').toLowerCase();
    const n = `${kind === 'video' ? 'V' : 'A'}${i}`;
    const codecId = `CO${n}`;
    add({ id: codecId, type: 'codec', transportId: 'T01', mimeType: `${kind}/${s.codec ?? ''}` });
    add({ id: `IT${n}`, type: 'inbound-rtp', kind, mid: String(i), transportId: 'T01', codecId,
      packetsReceived: num(s.packetsReceived), bytesReceived: num(s.bytesReceived), packetsLost: num(s.packetsLost),
      jitter: num(s.jitterMs) / 1000,
      ...(kind === 'audio' && s.audioLevelDbov !== undefined ? { audioLevel: Math.min(1, 10 ** (num(s.audioLevelDbov) / 20)) } : {}),
      ...(kind === 'video' ? { framesDecoded: num(s.framesDecoded) } : {}) });
    add({ id: `OT${n}`, type: 'outbound-rtp', kind, mid: String(i), transportId: 'T01', codecId,
      packetsSent: num(s.packetsSent), bytesSent: num(s.bytesSent), remoteId: `RI${n}` });
    add({ id: `RI${n}`, type: 'remote-inbound-rtp', kind, transportId: 'T01', codecId, localId: `OT${n}`,
      fractionLost: num(s.fractionLost), roundTripTime: num(s.rttMs) / 1000 });
  });
  return report;
}

function sum(streams, field) {
  return streams.reduce((a, s) => a + num(s[field]), 0);
}

function splitAddress(address = '') {
  const i = address.lastIndexOf(':');
  if (i < 0) return [address, 0];
  return [address.slice(0, i).replace(/^\[|\]$/g, ''), Number(address.slice(i + 1))];
}
