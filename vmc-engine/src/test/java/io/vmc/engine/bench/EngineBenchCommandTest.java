package io.vmc.engine.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/** A short run of {@code vmc bench engine}: real calls on 127.0.0.1, and every figure it reports is printed. */
@Timeout(300)
class EngineBenchCommandTest {
    @Test
    void shortRunReportsCpuMemoryAndSetup() {
        String out = run("--calls", "2", "--seconds", "2", "--runs", "2");
        assertThat(out)
                .containsPattern("cpu: idle [0-9.]+ % of one core, 2 Opus calls .* per call end; bare GStreamer .*: [0-9.-]+ % per end")
                .containsPattern("rss: idle \\d+ MiB, with 2 calls \\(2 ends each\\) \\d+ MiB")
                .containsPattern("rss: after those calls ended \\d+ MiB")
                .containsPattern("rss: after those 2 calls one after another \\d+ MiB")
                .containsPattern("setup: CreateOffer -> first audio packet at the offerer: median [0-9.]+ ms.*SDES-SRTP")
                .containsPattern("setup: the first call of this JVM .*: [0-9.]+ ms");
    }

    @Test
    void dtlsSessionsHandshakeAndAreLabelled() {
        String out = run("--calls", "1", "--seconds", "1", "--runs", "2", "--dtls");
        assertThat(out).containsPattern("setup: CreateOffer -> first audio packet at the offerer: median [0-9.]+ ms.*DTLS-SRTP");
    }

    /** Runs the bench in this JVM and returns what it printed; it must succeed. */
    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int exit;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            exit = new CommandLine(new EngineBenchCommand()).execute(args);
        } finally {
            System.setOut(stdout);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(out).isZero();
        return out;
    }
}
