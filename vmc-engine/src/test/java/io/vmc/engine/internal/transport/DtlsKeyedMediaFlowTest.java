package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.internal.media.AudioCodec;
import io.vmc.engine.internal.rtp.MediaFlow;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How a call plugs DTLS-SRTP in, end to end: two of the engine's audio flows ({@link MediaFlow},
 * PCMU test tone through GStreamer) on loopback sockets, each socket demultiplexed by first byte
 * (DTLS to the endpoint, RTP/RTCP to the flow), each flow keyed from its endpoint's handshake the
 * way SDES keys key it. Media flows both ways and nothing fails authentication.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DtlsKeyedMediaFlowTest {
    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void audioFlowsKeyedByDtlsCarryMediaBothWays(SrtpProfile profile) throws Exception {
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
        try (Side a = new Side("a", profile, timer, 0x0a0a0a0aL); Side b = new Side("b", profile, timer, 0x0b0b0b0bL)) {
            a.peer = b.address();
            b.peer = a.address();
            // a=setup: a offers actpass, b answers active and is the DTLS client
            DtlsSetup.Answer answer = DtlsSetup.answer(DtlsSetup.offer());
            b.dtls.start(answer.role(), a.dtls.localFingerprint());
            a.dtls.start(DtlsSetup.offererRole(answer.setup()), b.dtls.localFingerprint());
            MediaFlow fa = a.flow.get(10, TimeUnit.SECONDS);
            MediaFlow fb = b.flow.get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(15)).until(() -> fa.snapshot().packetsReceived() >= 25 && fb.snapshot().packetsReceived() >= 25);
            for (MediaFlow f : List.of(fa, fb)) {
                assertThat(f.snapshot().drops()).containsEntry("authFailed", 0L).containsEntry("wrongSsrc", 0L);
            }
            assertThat(a.failure).isNotDone();
            assertThat(b.failure).isNotDone();
        } finally {
            timer.shutdownNow();
        }
    }

    /** One party: socket, demultiplexing receive thread, DTLS endpoint, and the flow its keys create. */
    static final class Side implements AutoCloseable {
        final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        final DtlsTransport dtls;
        final CompletableFuture<MediaFlow> flow = new CompletableFuture<>();
        final CompletableFuture<DtlsFailure> failure = new CompletableFuture<>();
        volatile InetSocketAddress peer;
        private final Thread rx;

        Side(String name, SrtpProfile profile, ScheduledExecutorService timer, long ssrc) throws IOException {
            DtlsCertificate cert = DtlsCertificate.generate(Instant.now(), new SecureRandom());
            dtls = new DtlsSrtpEndpoint(cert, List.of(profile), this::send, new DtlsSrtpEndpoint.Listener() {
                @Override
                public void onConnected(DtlsSrtpSession s) {
                    // as Call does with SDES keys: the suite and both keys into the flow's parameters
                    MediaFlow.Params p = new MediaFlow.Params(AudioCodec.PCMU, 0, 0, 101, 101,
                            s.keys().suite(), s.keys().localKeyAndSalt(), s.keys().remoteKeyAndSalt(), name);
                    EngineConfig cfg = EngineConfig.builder().audioSource(EngineConfig.AudioSource.tone(440))
                            .audioSink(EngineConfig.AudioSink.none()).build();
                    try {
                        MediaFlow f = new MediaFlow(p, cfg, "s-" + name, null, null, ssrc, 1, timer, new MediaFlow.Io() {
                            @Override public void send(byte[] buf, int off, int len) throws IOException { Side.this.send(buf, off, len); }
                            @Override public void dtmfReceived(String digit, int durationMs) { }
                            @Override public void mediaError(String message) { failure.complete(new DtlsFailure(DtlsFailure.Kind.HANDSHAKE_ERROR, message)); }
                        });
                        f.start();
                        flow.complete(f);
                    } catch (IOException e) {
                        flow.completeExceptionally(e);
                    }
                }

                @Override
                public void onFailed(DtlsFailure f) {
                    failure.complete(f);
                }
            }, Duration.ofSeconds(10));
            rx = new Thread(this::readLoop, "rx-" + name);
            rx.setDaemon(true);
            rx.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        void send(byte[] buf, int off, int len) throws IOException {
            InetSocketAddress p = peer;
            if (p != null) socket.send(new DatagramPacket(buf, off, len, p));
        }

        private void readLoop() {
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            while (!socket.isClosed()) {
                try {
                    p.setData(buf, 0, buf.length);
                    socket.receive(p);
                } catch (IOException e) {
                    return;
                }
                switch (Demux.classify(buf, 0, p.getLength())) {
                    case DTLS -> dtls.receive(buf, 0, p.getLength());
                    case RTP_RTCP -> {
                        MediaFlow f = flow.getNow(null);
                        if (f != null) f.onPacket(buf, 0, p.getLength());
                    }
                    default -> { } // STUN would go to ICE; the rest is dropped (RFC 7983)
                }
            }
        }

        @Override
        public void close() {
            MediaFlow f = flow.getNow(null);
            if (f != null) f.close();
            dtls.close();
            socket.close();
        }
    }
}
