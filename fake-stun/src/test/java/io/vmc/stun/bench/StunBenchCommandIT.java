package io.vmc.stun.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A short run of {@code vmc bench stun}: both servers start, answer, and get measured. */
@Timeout(120)
class StunBenchCommandIT {
    @Test
    void shortRunMeasuresBothServers() {
        requireTurnserver();
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new StunBenchCommand()).setOut(new PrintWriter(out, true))
                .execute("--duration", "1", "--warmup", "1", "--rounds", "1", "--clients", "2", "--window", "4",
                        "--server-threads", "1", "--max-requests", "200000");
        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("| fake-stun | ").contains("| coturn | ").contains("fake-stun / coturn throughput");
    }

    private static void requireTurnserver() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "turnserver"))) {
                return;
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("turnserver not found on PATH; install the Debian package 'coturn' (CI=true: tools are required)");
        }
        assumeTrue(false, "turnserver not found on PATH (Debian package coturn)");
    }
}
