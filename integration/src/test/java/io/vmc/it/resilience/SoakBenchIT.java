package io.vmc.it.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.it.lab.VmcProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./vmc bench soak} as a user runs it, for a short while: every kind of call completes, none fails. */
class SoakBenchIT {
    @Test
    @Timeout(420)
    void aShortSoakCompletesEveryKindOfCallWithoutFailures(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        List<String> out = new CopyOnWriteArrayList<>();
        try (VmcProcess soak = VmcProcess.start("soak", null, dir.resolve("soak.log"), out::add,
                List.of("bench", "soak", "--duration", "45", "--sample-every", "15", "--media-packets", "50"))) {
            int exit = soak.waitFor(360, TimeUnit.SECONDS);
            String log = String.join("\n", out);
            assertThat(exit).as(log).isZero();
            Matcher m = Pattern.compile("calls completed: (\\d+), calls failed: (\\d+)").matcher(log);
            assertThat(m.find()).as(log).isTrue();
            assertThat(Integer.parseInt(m.group(2))).isZero();
            for (String kind : List.of("audio/SDES", "video/DTLS", "audio/DTLS", "video/SDES")) {
                assertThat(log).containsPattern("completed " + kind + " +[1-9]");
            }
            // the footprint over time: one row per sample, four processes each
            assertThat(out.stream().filter(l -> l.matches("\\s*\\d+\\s+\\d+\\s+\\d+(\\s+\\d+ \\d+ \\d+){4}"))).hasSizeGreaterThanOrEqualTo(2);
            assertThat(Files.exists(dir.resolve("soak.log"))).isTrue();
        }
    }
}
