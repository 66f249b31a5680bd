package io.vmc.transport.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import io.vmc.transport.proto.Envelope;

/** Builds the per-channel pipeline drawn in the package documentation of {@code io.vmc.transport}. */
public final class Pipelines {
    private static final ProtobufEncoder PROTOBUF_ENCODER = new ProtobufEncoder();

    private Pipelines() {}

    public static void init(Channel ch, Session session, int maxFrameBytes, Counters counters, boolean attachOnActive) {
        ch.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024));
        ch.pipeline()
                .addLast("frameDecoder", new FrameDecoder(maxFrameBytes, counters))
                .addLast("protobufDecoder", new ProtobufDecoder(Envelope.getDefaultInstance()))
                .addLast("frameEncoder", new FrameEncoder(maxFrameBytes, counters))
                .addLast("protobufEncoder", PROTOBUF_ENCODER)
                .addLast("session", new SessionHandler(session, attachOnActive));
    }
}
