/**
 * The call layer: one {@code Call} per session, which owns its state and its media sections and
 * composes the transports ({@link io.vmc.engine.internal.transport}) with the RTP streams
 * ({@link io.vmc.engine.internal.rtp}). What one offer/answer exchange decides is read by pure
 * functions of SDP text, tested with SDP strings and no sockets or GStreamer:
 * {@link io.vmc.engine.internal.call.Negotiator} writes our offers and answers and reads the peer's
 * (capabilities, keys and ICE credentials in; SDP and each section's negotiated parameters out), with
 * {@link io.vmc.engine.internal.call.SdesChoice} for {@code a=crypto} (RFC 4568),
 * {@link io.vmc.engine.internal.call.BundleGroup} reading {@code a=group:BUNDLE}
 * (<a href="https://www.rfc-editor.org/rfc/rfc8843">RFC 8843</a>);
 * and {@link io.vmc.engine.internal.call.DtlsTerms} reading {@code a=fingerprint} and {@code a=setup}
 * (<a href="https://www.rfc-editor.org/rfc/rfc8842">RFC 8842</a>). {@code Call} applies what the
 * negotiator decided to its transports ({@link io.vmc.engine.internal.call.MediaTransport}, one per
 * BUNDLE group or unbundled section: ICE endpoints and restarts, the DTLS link) and to its
 * sections ({@link io.vmc.engine.internal.call.MediaSection}: each holds its transport, mid,
 * directions and flow).
 *
 * <p>May use every internal layer below it and the public {@code io.vmc.engine} types; only
 * {@code MediaEngine} uses it.
 */
package io.vmc.engine.internal.call;
