/**
 * The GStreamer halves of the engine: codecs ({@code AudioCodec}, {@code VideoCodec}), the capture,
 * encode, decode and playout pipelines that exchange RTP packets with Java through appsrc/appsink
 * ({@code AudioPipelines}, {@code VideoPipelines}), {@code GstSupport}, and the ring tone.
 *
 * <p>May use GStreamer, the overlay renderer and {@link io.vmc.engine.internal}; knows nothing of
 * RTP sessions, transports, calls or Swing.
 */
package io.vmc.engine.internal.media;
