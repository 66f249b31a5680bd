package io.vmc.agent.daemon;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Options for an agentd under test: engine on {@code dir/engine.sock}, apps on {@code dir/agent.sock}. */
public final class AgentdHarness {
    private AgentdHarness() {}

    public static AgentDaemon.Options options(Path dir) {
        AgentDaemon.Options o = new AgentDaemon.Options();
        o.channel = "unix:" + dir.resolve("engine.sock");
        o.apiSocket = dir.resolve("agent.sock");
        o.fallbackToneHz = 600.0;
        o.fallbackNoSpeaker = true;
        o.fallbackIceAddresses = List.of(InetAddress.getLoopbackAddress());
        o.keepaliveInterval = Duration.ofMillis(200);
        o.deadAfter = Duration.ofMillis(1000);
        o.core.engineGrace = Duration.ofMillis(300);
        return o;
    }
}
