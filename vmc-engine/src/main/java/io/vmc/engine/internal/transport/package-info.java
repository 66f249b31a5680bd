/**
 * The transport layer of a call: what carries SRTP between the engine and its peer: ICE on ice4j
 * ({@code IceEndpoint}, <a href="https://www.rfc-editor.org/rfc/rfc8445">RFC 8445</a>, consent
 * <a href="https://www.rfc-editor.org/rfc/rfc7675">RFC 7675</a>, the send gate for non-ICE peers),
 * SRTP ({@code SrtpContext}, <a href="https://www.rfc-editor.org/rfc/rfc3711">RFC 3711</a>) and
 * DTLS-SRTP. May use {@link io.vmc.engine.internal} and the RTP header helpers of
 * {@code rtp.RtpPackets} (SRTP reads the sequence number); nothing of RTP streams, GStreamer or calls.
 *
 * <p>Inbound path on the ICE-selected socket: the first byte says what a datagram is
 * ({@link io.vmc.engine.internal.transport.Demux}, <a href="https://www.rfc-editor.org/rfc/rfc7983#section-7">RFC 7983
 * section 7</a>): STUN stays with ICE, RTP/RTCP goes to the SRTP contexts, DTLS records go to
 * {@link io.vmc.engine.internal.transport.DtlsSrtpEndpoint}, which checks them
 * ({@link io.vmc.engine.internal.transport.DtlsRecords}), queues a bounded number and runs
 * BouncyCastle's DTLS 1.2 (<a href="https://www.rfc-editor.org/rfc/rfc6347">RFC 6347</a>) on them.
 *
 * <ul>
 *   <li>DTLS-SRTP: <a href="https://www.rfc-editor.org/rfc/rfc5764">RFC 5764</a> (use_srtp, section 4.1;
 *       keys from the "EXTRACTOR-dtls_srtp" exporter of <a href="https://www.rfc-editor.org/rfc/rfc5705">RFC 5705</a>,
 *       section 4.2), profiles AES_CM_128_HMAC_SHA1_80 and AEAD_AES_128_GCM
 *       (<a href="https://www.rfc-editor.org/rfc/rfc7714#section-14.2">RFC 7714 section 14.2</a>).</li>
 *   <li>Keying in SDP: <a href="https://www.rfc-editor.org/rfc/rfc5763">RFC 5763</a> (self-signed certificates
 *       authenticated by {@code a=fingerprint}, <a href="https://www.rfc-editor.org/rfc/rfc8122#section-5">RFC 8122
 *       section 5</a>); {@code a=setup} and when a new association is needed:
 *       <a href="https://www.rfc-editor.org/rfc/rfc8842">RFC 8842</a> ({@link io.vmc.engine.internal.transport.DtlsSetup}).</li>
 *   <li>Extended master secret: <a href="https://www.rfc-editor.org/rfc/rfc7627">RFC 7627</a>.</li>
 * </ul>
 */
package io.vmc.engine.internal.transport;
