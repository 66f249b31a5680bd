/**
 * Implementation of fake-stun; not API.
 *
 * <pre>
 * UDP:  datagram ──► UdpHandler ──► StunResponder.respond(request, sender) ──► datagram (or nothing)
 * TCP:  bytes ──► IdleStateHandler ──► TcpFrameDecoder (20-byte header + length, max size)
 *             ──► TcpHandler ──► StunResponder.respond(frame, remote) ──► bytes
 * </pre>
 * {@link io.vmc.stun.internal.StunResponder} validates in place and writes the answer into one pooled
 * buffer; {@link io.vmc.stun.internal.StunMessage} is the general, allocating codec used by tests and
 * tools. Wire format: <a href="https://www.rfc-editor.org/rfc/rfc8489">RFC 8489</a>, test vectors
 * <a href="https://www.rfc-editor.org/rfc/rfc5769">RFC 5769</a>, classic clients
 * <a href="https://www.rfc-editor.org/rfc/rfc3489">RFC 3489</a>.
 */
package io.vmc.stun.internal;
