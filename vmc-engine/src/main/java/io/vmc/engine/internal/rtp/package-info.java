/**
 * The Java-owned RTP session of a call (<a href="https://www.rfc-editor.org/rfc/rfc3550">RFC 3550</a>):
 * RTP and RTCP wire formats ({@code RtpPackets}, {@code RtcpPackets}; feedback per
 * <a href="https://www.rfc-editor.org/rfc/rfc4585">RFC 4585</a> and
 * <a href="https://www.rfc-editor.org/rfc/rfc5104">RFC 5104</a>), receive statistics, NACK and
 * retransmission ({@code NackTracker}, {@code SendHistory}), loss-based bitrate, quality (E-model),
 * DTMF (<a href="https://www.rfc-editor.org/rfc/rfc4733">RFC 4733</a>), header extensions
 * ({@code RtpHeaderExtensions}, <a href="https://www.rfc-editor.org/rfc/rfc8285">RFC 8285</a>), the
 * kind-agnostic {@code RtpStream} with its per-kind {@code RtpFeature}s ({@code TelephoneEvents},
 * {@code NackFeedback}, {@code KeyframeRequests}, {@code BitrateControl}), and the two flows
 * {@code MediaFlow} (audio) and {@code VideoFlow} (video) that carry them, both an {@code RtpFlow}:
 * what the call layer routes to, tags with a MID, gates and replaces without knowing the kind.
 *
 * <p>May use {@link io.vmc.engine.internal.transport} (SRTP contexts, ICE sockets),
 * {@link io.vmc.engine.internal.media} (the GStreamer pipelines a flow feeds and drains) and
 * {@link io.vmc.engine.internal}; never {@link io.vmc.engine.internal.call} or Swing. The pure
 * helpers take times as arguments and are tested without sockets or GStreamer.
 */
package io.vmc.engine.internal.rtp;
