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
 * (<a href="https://www.rfc-editor.org/rfc/rfc8842">RFC 8842</a>).
 *
 * <p>{@code Call} is the state machine; it applies what the negotiator decided to its sections
 * ({@link io.vmc.engine.internal.call.MediaSection}: each holds its kind, transport, mid,
 * directions and flow) through small parts, each used under the call's monitor:
 * <ul>
 *   <li>{@link io.vmc.engine.internal.call.CallTransports}: the call's
 *       {@link io.vmc.engine.internal.call.MediaTransport}s (one per BUNDLE group or unbundled
 *       section: ICE endpoints and restarts, the DTLS link), within a
 *       {@link io.vmc.engine.internal.call.RestartBudget};
 *   <li>{@link io.vmc.engine.internal.call.PeerAddresses}: where the peer's SDP may make the call
 *       send (design section 6a), and those addresses applied to a transport;
 *   <li>{@link io.vmc.engine.internal.call.TransportListener} (ICE events and received datagrams
 *       of one endpoint), {@link io.vmc.engine.internal.call.BundleDemux} (RTP and RTCP by section,
 *       RFC 8843 section 9) and {@link io.vmc.engine.internal.call.SectionIo} (where a flow sends,
 *       what its failures mean): the receive and send threads' side of a call;
 *   <li>{@link io.vmc.engine.internal.call.CallCaptures} (camera consent, switch and loss, the
 *       capture indicator), {@link io.vmc.engine.internal.call.AudioDevices} (microphone and
 *       speaker), {@link io.vmc.engine.internal.call.VideoView} (overlays) and
 *       {@link io.vmc.engine.internal.call.CallStats} (stats and counters);
 *   <li>pure helpers: {@link io.vmc.engine.internal.call.SectionLines} (the m-lines candidates name),
 *       {@link io.vmc.engine.internal.call.MediaChoice} (codecs, whether video is wanted) and
 *       {@link io.vmc.engine.internal.call.FlowParams} (negotiated section to flow parameters).
 * </ul>
 * Threads and locks: {@code docs/concurrency.md}, "Engine: a call's parts".
 *
 * <p>May use every internal layer below it and the public {@code io.vmc.engine} types; only
 * {@code MediaEngine} uses it.
 */
package io.vmc.engine.internal.call;
