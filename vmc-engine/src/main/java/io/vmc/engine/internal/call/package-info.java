/**
 * The call layer: one {@code Call} per session, which owns its state and its media sections and
 * composes the transports ({@link io.vmc.engine.internal.transport}) with the RTP streams
 * ({@link io.vmc.engine.internal.rtp}). What one offer/answer exchange decides is read by pure
 * functions of SDP text, tested with SDP strings and no sockets or GStreamer:
 * {@link io.vmc.engine.internal.call.BundleGroup} reads {@code a=group:BUNDLE}
 * (<a href="https://www.rfc-editor.org/rfc/rfc8843">RFC 8843</a>);
 * {@link io.vmc.engine.internal.call.DtlsTerms} reads {@code a=fingerprint} and {@code a=setup}
 * (<a href="https://www.rfc-editor.org/rfc/rfc8842">RFC 8842</a>).
 *
 * <p>May use every internal layer below it and the public {@code io.vmc.engine} types; only
 * {@code MediaEngine} uses it.
 */
package io.vmc.engine.internal.call;
