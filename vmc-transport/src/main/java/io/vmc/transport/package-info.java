/**
 * The vmc.v1 protocol between the guest agent and the client engine, over a byte stream that
 * breaks: framing, handshake, requests, events, keepalive, reconnect and session resume. Spec:
 * {@code src/main/proto/vmc.proto} and ARCHITECTURE.md section 4.
 *
 * <h2>Pipeline (one per channel)</h2>
 * <pre>
 *  socket / LocalChannel / StreamPort bridge
 *        |  bytes                                                 ^  bytes
 *        v                                                        |
 *  FrameDecoder        resync on sync marker, MAX_FRAME_BYTES,   FrameEncoder      magic | length | CRC32C
 *        |             CRC32C, torn-frame lookahead,                  ^
 *        |             VmcProtocolException after MAX_GARBAGE_BYTES   |
 *        v  ByteBuf (one payload)                                     |  ByteBuf
 *  ProtobufDecoder(Envelope.getDefaultInstance())                ProtobufEncoder
 *        |  Envelope                                                  ^  Envelope
 *        v                                                            |
 *  SessionHandler  -----&gt;  Session (outlives channels)  --------------+
 *                          Hello/Goodbye, seq/ack, replay buffer, go-back-N resend,
 *                          request ids and deadlines, keepalive, flow control
 *                                 |                     ^
 *                                 v  callback executor  |  call() / sendEvent() from any thread
 *                    RequestHandler, EventSink (serial), EndpointListener (serial)
 * </pre>
 *
 * <h2>Frame</h2>
 * {@code D5 1E 7A C3 | u32 length | u32 CRC32C(length bytes + payload) | Envelope}, big-endian.
 * See {@link io.vmc.transport.internal.FrameFormat}.
 *
 * <h2>Reliability</h2>
 * Requests, responses and events carry {@code Envelope.seq} (per direction, monotonic over the
 * session); every envelope carries the cumulative {@code ack}. Unacknowledged messages stay in the
 * replay buffer. A receiver that sees a gap (a frame lost in the stream) sends
 * {@code Ack{resend}}; a lost tail is found by a probe Ping whose Pong carries an ack lower than
 * what was sent before the Ping. Duplicates ({@code seq <= received}) are dropped.
 *
 * <h2>Handshake and resume</h2>
 * Both sides send Hello on every new channel, and answer a Hello that arrives on an established
 * channel (a restarted agent on a virtio port that never looked closed). Per direction, the
 * sender's stream <em>continues</em> iff the receiver's {@code resume_token} equals the sender's
 * {@code session_token} (or the receiver has no {@code resume_token} and
 * {@code last_received_seq == 0} while the sender's {@code resume_token} is the receiver's
 * {@code session_token}: the channel broke before the receiver read the sender's Hello, so it
 * delivered nothing) and {@code oldest_seq <= last_received_seq + 1 <= next_seq}; both sides
 * evaluate this on the same two Hellos, so they agree. Continued: replay after
 * {@code last_received_seq}. Not continued: what was sent to the old peer is dropped, calls it
 * had fail with UNAVAILABLE naming the old and new instance, and the receiver starts at the
 * sender's {@code next_seq}. No common version: {@code Goodbye{VERSION_INCOMPATIBLE}} with both
 * ranges in the message, reported on both sides through
 * {@link io.vmc.transport.EndpointListener#onIncompatible}.
 *
 * <p>Threading rules: see {@code docs/concurrency.md} in the repository.
 */
package io.vmc.transport;
