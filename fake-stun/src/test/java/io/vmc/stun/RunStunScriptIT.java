package io.vmc.stun;

import io.vmc.stun.internal.StunMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vmc stun} as the launcher starts it (packaging/run-stun): it answers Binding requests, runs
 * with the shipped JVM options (packaging/stun.jvm) and fake-stun's own class path, not the launcher's.
 */
@Timeout(120)
class RunStunScriptIT {
    private static final Pattern LISTENING = Pattern.compile("fake-stun listening on udp 127\\.0\\.0\\.1:(\\d+)");

    @Test
    void startsLeanAndAnswers() throws Exception {
        Path script = Path.of("packaging", "run-stun").toAbsolutePath();
        Process p = new ProcessBuilder(script.toString(), "--udp", "127.0.0.1:0").redirectErrorStream(true).start();
        try {
            int port = -1;
            StringBuilder seen = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; port < 0 && (line = r.readLine()) != null; ) {
                    seen.append(line).append('\n');
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port = Integer.parseInt(m.group(1));
                    }
                }
            }
            assertThat(port).as("listening line in:\n" + seen).isPositive();

            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                StunMessage answer = StunTestClient.udpBinding(s, new InetSocketAddress("127.0.0.1", port));
                assertThat(answer.xorMappedAddress()).contains((InetSocketAddress) s.getLocalSocketAddress());
            }

            List<String> args = List.of(p.toHandle().info().arguments().orElseThrow());
            assertThat(args).as("java's arguments").contains("@" + Path.of("packaging", "stun.jvm").toAbsolutePath());
            String classpath = args.get(args.indexOf("-cp") + 1);
            assertThat(classpath).contains("netty-transport", "stun-lib/*").doesNotContain("logback", "integration", "vmc-engine");
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
