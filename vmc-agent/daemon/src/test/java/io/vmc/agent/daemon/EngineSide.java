package io.vmc.agent.daemon;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.MediaEngine;
import io.vmc.transport.ChannelUri;
import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.Hello;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** A real MediaEngine behind a real transport endpoint listening on a unix socket: the thin client's side. */
public final class EngineSide implements AutoCloseable {
    public final MediaEngine engine;
    /** The engine end of the channel (tests push events through it). */
    public final VmcEndpoint endpoint;

    EngineSide(Path socket, double toneHz, int minVersion, int maxVersion) {
        AtomicReference<VmcEndpoint> ref = new AtomicReference<>();
        engine = new MediaEngine(EngineConfig.builder()
                .iceAddress(InetAddress.getLoopbackAddress())
                .audioSource(EngineConfig.AudioSource.tone(toneHz))
                .audioSink(EngineConfig.AudioSink.none())
                .statsInterval(Duration.ofMillis(500))
                .software("vmc-engine/test")
                .allowLocalDestinations(java.util.Set.of(EngineConfig.LocalDestination.LOOPBACK)) // peers on 127.0.0.1
                // this JVM holds agentd, the engine, the apps and the test: its CPU is not the engine's
                // (admission by load has its own tests: EngineLoadTest, LoadAndLimitsIT)
                .maxCpuLoad(1).maxRequestDelay(Duration.ofSeconds(60))
                .build(), e -> {
                    VmcEndpoint ep = ref.get();
                    if (ep != null) {
                        ep.sendEvent(e);
                    }
                });
        VmcEndpoint.Builder b = VmcEndpoint.builder().channel(ChannelUri.parse("unix-listen:" + socket))
                .role(Hello.Role.ROLE_ENGINE).software("vmc-engine/test").requestHandler(engine)
                .keepalive(Duration.ofMillis(200), Duration.ofMillis(1000));
        if (minVersion > 0) {
            b.versionRange(minVersion, maxVersion);
        }
        endpoint = b.build();
        ref.set(endpoint);
        endpoint.start();
    }

    public EngineSide(Path socket, double toneHz) {
        this(socket, toneHz, 0, 0);
    }

    @Override
    public void close() {
        endpoint.close();
        engine.close();
    }
}
