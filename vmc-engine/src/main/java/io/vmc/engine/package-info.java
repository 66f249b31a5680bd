/**
 * The VMC client media engine: {@link io.vmc.engine.MediaEngine} serves vmc.v1 requests from
 * agentd (through the transport, or in process in fallback mode) and carries the calls' media
 * peer to peer from the thin client.
 *
 * <pre>
 *  guest (agentd) --vmc.v1--> MediaEngine --per session--> Call
 *                                                  |-- SDP offer/answer (RFC 3264, RFC 8866, RFC 8839, RFC 4568)
 *                                                  |-- IceEndpoint: ice4j, consent freshness, TURN relays (RFC 8445, RFC 7675, RFC 8656)
 *                                                  `-- MediaFlow: RTP/RTCP (RFC 3550), SRTP (RFC 3711), DTMF (RFC 4733)
 *                                                        GStreamer: capture -> encode -> appsink  ==> Java ==> socket
 *                                                        socket ==> Java ==> appsrc -> jitter buffer -> decode -> play/record
 * </pre>
 *
 * <p>Threads: {@code handle} never blocks (a small pool runs requests, each session serialises
 * its own); ice4j and one receive thread per local socket deliver packets; GStreamer's streaming
 * threads deliver encoded packets and decoded audio; a scheduler drives RTCP, DTMF, stats events
 * and consent checks. Events may be emitted from any of these threads.
 */
package io.vmc.engine;
