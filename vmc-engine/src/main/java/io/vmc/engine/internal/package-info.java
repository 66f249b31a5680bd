/**
 * Engine internals (not API), in packages by layer, top to bottom:
 * {@link io.vmc.engine.internal.call} (one {@code Call} per session: offer/answer, media sections)
 * → {@link io.vmc.engine.internal.rtp} (the Java-owned RTP session: RTP/RTCP wire formats, receive
 * statistics, retransmission and bitrate control) → {@link io.vmc.engine.internal.transport} (ICE,
 * SRTP, DTLS-SRTP); {@link io.vmc.engine.internal.media} holds the GStreamer halves (codecs, capture,
 * playout) and {@link io.vmc.engine.internal.ui} the Swing prompts. A package may use the ones below
 * it and this one, never one above it.
 *
 * <p>This package itself holds what every layer may use: errors ({@code EngineException},
 * {@code Failure}), call records and metrics ({@code CallTracker}, {@code EngineMetrics}), the
 * admin's address rules ({@code DestinationRules}, {@code Cidr}), the live captures the user sees and
 * stops ({@code LiveCaptures}) and the engine's status for its user ({@code StatusBoard}), {@code RateLimiter} and small
 * file and JSON helpers.
 */
package io.vmc.engine.internal;
