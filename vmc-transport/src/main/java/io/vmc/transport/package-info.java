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
 *  SessionHandler  -----&gt;  Session (outlives channels; channel, keepalive, listener)  -+
 *                          Handshake    Hello attempts, when to commit (ResumeRules)
 *                          ReliableLink seq/ack, replay buffer, go-back-N resend
 *                          Rpc          request ids and deadlines, handler, events, flow control
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
 * A three-way handshake per channel ({@code internal.Handshake}): a side commits only on a Hello
 * that names a Hello of its own current attempt, so a Hello left in a buffer for a previous
 * connection can neither complete nor reset a session; stream facts are frozen during an attempt
 * and both sides apply the same per-direction rule ({@code internal.ResumeRules}) to them. The
 * contract is "Resume rules" in {@code docs/protocol.md}. No common version:
 * {@code Goodbye{VERSION_INCOMPATIBLE}} with both ranges in the message, reported on both sides
 * through {@link io.vmc.transport.EndpointListener#onIncompatible}.
 *
 * <p>Threading rules: see {@code docs/concurrency.md} in the repository.
 */
package io.vmc.transport;
