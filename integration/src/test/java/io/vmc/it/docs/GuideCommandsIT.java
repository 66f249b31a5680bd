package io.vmc.it.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.it.cli.VmcCommandLine;
import io.vmc.it.lab.Ports;
import io.vmc.it.lab.Shell;
import io.vmc.it.lab.VmcProcess;
import io.vmc.it.lab.Waits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ./vmc} command the guides tell a user to type is run here when it can run on this
 * machine, or names the test that runs its equivalent, or says why it cannot run here. A command
 * added to a guide fails {@link #everyCommandInTheGuidesIsAccountedFor} until it is placed in one
 * of the three lists. Every option a guide names must exist in the command's {@code --help}.
 */
@Timeout(300)
class GuideCommandsIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** Run by {@link #guideCommandsThatRunHereRunAndPrintWhatTheGuidesPromise}. */
    private static final List<String> RUN_HERE = List.of(
            "./vmc --help",
            "./vmc engine --help",
            "./vmc doctor --role client",
            "./vmc doctor --role guest",
            "./vmc doctor --role dev",
            "./vmc status");

    private static final Map<String, String> RUN_ELSEWHERE = Map.of(
            "./vmc demo", "NoHairpinIT runs the demo and asserts its no-hairpin proof",
            "./vmc demo --video", "VideoDemoIT runs the demo with --video and asserts its screenshot proof",
            "./vmc demo --metrics --keep-running", "PrometheusIT runs the demo with metrics (a real Prometheus scrapes it); "
                    + "--keep-running only waits for Ctrl-C",
            "./vmc test", "the CI job runs it (.ci/run)",
            "./vmc engine --spice spice://vdi.example.org:5900",
                    "EngineSpiceCommandIT runs `vmc engine --spice spice://127.0.0.1:PORT` against a real QEMU SPICE server",
            "./vmc engine --spice spice+tls://vdi.example.org:5901 --spice-ca-file ca.pem --spice-password-file ticket",
                    "SpiceTlsIT connects the engine's SPICE client over TLS with a CA file and a password to a real QEMU",
            "./vmc engine --channel unix:/var/lib/libvirt/qemu/channel/target/NAME.org.spice-space.vmc.0",
                    "RealGuestCallIT runs `vmc engine --channel unix:...` on a QEMU guest's socket chardev",
            "./vmc stun --udp 0.0.0.0:3478 --rules FILE",
                    "runDocumentedStunServerOnLoopback below, with 127.0.0.1 instead of every interface");

    private static final Map<String, String> NOT_RUNNABLE_HERE = Map.of(
            "./vmc -v engine ...", "placeholder for any engine command",
            "./vmc engine", "name of the command in prose",
            "./vmc doctor --role client|guest|dev|demo", "synopsis of the doctor commands run here",
            "./vmc stun", "binds every interface on port 3478; the loopback run covers the server",
            "./vmc stun --udp 10.0.0.1:3478 --tcp 10.0.0.1:3478 --rules /etc/vmc/stun.rules", "addresses of a guest network",
            "./vmc stun --udp [fd00::1]:3478 --udp 10.0.0.1:3478 --threads 2", "addresses of a guest network");

    /** Benchmarks run on demand (minutes each); their options are still checked. */
    private static final String BENCHMARK_PREFIX = "./vmc bench ";

    private static final Pattern FENCE = Pattern.compile("```([a-z]*)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern INLINE = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern COMMAND = Pattern.compile("^(\\./)?vmc( -v)? [a-z-]+.*");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--[a-z][a-z0-9-]*)");

    @Test
    void everyCommandInTheGuidesIsAccountedFor() throws IOException {
        List<String> unaccounted = new ArrayList<>();
        for (String cmd : guideCommands().keySet()) {
            if (cmd.startsWith("./") && !cmd.startsWith(BENCHMARK_PREFIX) && !RUN_HERE.contains(cmd)
                    && !RUN_ELSEWHERE.containsKey(cmd) && !NOT_RUNNABLE_HERE.containsKey(cmd)) {
                unaccounted.add(cmd);
            }
        }
        assertThat(unaccounted).as("guide commands that no test runs and no reason excuses").isEmpty();
        for (String elsewhere : RUN_ELSEWHERE.values()) {
            Matcher test = Pattern.compile("^(\\w+IT)").matcher(elsewhere);
            if (test.find()) {
                assertThat(testSource(test.group(1))).as("%s names a test that exists", elsewhere).isNotNull();
            }
        }
    }

    @Test
    void everyOptionTheGuidesNameExistsInTheCommandsHelp() throws Exception {
        Map<String, TreeSet<String>> optionsByCommand = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : guideCommands().entrySet()) {
            List<String> words = List.of(e.getKey().replaceFirst("^(\\./)?vmc( -v)? ", "").split("\\s+"));
            List<String> command = new ArrayList<>();
            if (!words.get(0).startsWith("-")) {
                command.add(words.get(0)); // else options of vmc itself, e.g. --help
            }
            if (!command.isEmpty() && (command.get(0).equals("bench") || command.get(0).equals("agentd")) && words.size() > 1
                    && !words.get(1).startsWith("-") && !words.get(1).startsWith("[")) { // bench stun, agentd web-secret
                command.add(words.get(1));
            }
            if (!command.isEmpty() && command.get(0).equals("test")) {
                continue; // the launcher's shortcut for the test suite, not a vmc command
            }
            Matcher o = OPTION.matcher(e.getKey());
            TreeSet<String> options = optionsByCommand.computeIfAbsent(String.join(" ", command), k -> new TreeSet<>());
            while (o.find()) {
                options.add(o.group(1));
            }
        }
        assertThat(optionsByCommand).containsKeys("engine", "stun", "status", "doctor", "agentd", "bench stun");
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, TreeSet<String>> e : optionsByCommand.entrySet()) {
            List<String> args = new ArrayList<>();
            if (!e.getKey().isEmpty()) {
                args.addAll(List.of(e.getKey().split(" ")));
            }
            args.add("--help");
            VmcCommandLine.Outcome help = VmcCommandLine.run(Map.of(), args.toArray(String[]::new));
            assertThat(help.exitCode()).as("vmc %s:%n%s", String.join(" ", args), help.output()).isZero();
            for (String option : e.getValue()) {
                if (!help.output().contains(option)) {
                    missing.add("vmc " + e.getKey() + " " + option);
                }
            }
        }
        assertThat(missing).as("options the guides name that the commands do not have").isEmpty();
    }

    @Test
    void guideCommandsThatRunHereRunAndPrintWhatTheGuidesPromise(@TempDir Path tmp) throws Exception {
        VmcCommandLine.Outcome help = VmcCommandLine.run(Map.of(), "--help");
        // README: "`./vmc --help` lists them: demo, engine, agentd, stun, softphone, status, doctor, bench"
        assertThat(help.output()).contains("demo", "engine", "agentd", "stun", "softphone", "status", "doctor", "bench");

        // Thin-client guide: "Options you may need: ..."; "`./vmc engine --help` lists them all."
        VmcCommandLine.Outcome engineHelp = VmcCommandLine.run(Map.of(), "engine", "--help");
        assertThat(engineHelp.output()).contains("--spice", "--channel", "--mic", "--speaker", "--stun",
                "--metrics", "--cdr", "--no-echo-cancel");

        for (String role : List.of("client", "guest", "dev", "demo")) {
            VmcCommandLine.Outcome doctor = VmcCommandLine.run(Map.of(), "doctor", "--role", role);
            // "what is missing with the package that fixes each miss and the apt-get install line, exits 0 only
            // when everything is there"
            boolean ready = doctor.output().contains("Ready for role '" + role + "'");
            assertThat(doctor.output()).as("doctor --role %s", role).containsPattern("\\d+ checks, \\d+ ok");
            assertThat(ready || doctor.output().contains("Not ready for role '" + role + "'")).as(doctor.output()).isTrue();
            assertThat(doctor.exitCode()).as(doctor.output()).isEqualTo(ready ? 0 : 1);
            if (doctor.output().contains("Missing: ")) {
                assertThat(doctor.output()).contains("apt-get install -y --no-install-recommends ");
            }
            VmcCommandLine.Outcome all = VmcCommandLine.run(Map.of(), "doctor", "--role", role, "--all");
            // "--all also lists every check that passed"
            assertThat(all.output()).as("doctor --role %s --all", role).contains("STATUS", "java");
        }

        // Admin/thin-client guide: `./vmc status` in the VM shows the mode and why. An agentd
        // without an engine on its channel is the first case users meet.
        Path socket = tmp.resolve("agent.sock");
        List<String> log = new CopyOnWriteArrayList<>();
        try (VmcProcess agentd = VmcProcess.start("agentd", null, tmp.resolve("agentd.log"), log::add,
                List.of("agentd", "--api-socket", socket.toString(), "--channel", "unix:" + tmp.resolve("no-engine.sock"),
                        "--engine-grace-ms", "100"))) {
            Waits.awaitFile(socket, 30, tmp.resolve("agentd.log"));
            VmcCommandLine.Outcome status = VmcCommandLine.run(Map.of("VMC_AGENT_SOCKET", socket.toString()), "status");
            assertThat(status.output()).as("status").contains("FALLBACK").contains("NO_ENGINE");
            String guide = Files.readString(ROOT.resolve("docs/thin-client-guide.md"));
            assertThat(guide).contains("| FALLBACK | NO_ENGINE |");
        }
    }

    @Test
    void runDocumentedStunServerOnLoopback(@TempDir Path tmp) throws Exception {
        // The rule file exactly as the fake-stun README shows it.
        Matcher rules = FENCE.matcher(Files.readString(ROOT.resolve("fake-stun/README.md")));
        String ruleFile = null;
        while (rules.find()) {
            if (rules.group(2).contains("->")) {
                ruleFile = rules.group(2);
                break;
            }
        }
        assertThat(ruleFile).as("fake-stun README shows a rule file").isNotNull();
        Path file = tmp.resolve("stun.rules");
        Files.writeString(file, ruleFile);
        int port = Ports.freeUdpPort();
        List<String> log = new CopyOnWriteArrayList<>();
        try (VmcProcess stun = VmcProcess.start("stun", null, tmp.resolve("stun.log"), log::add,
                List.of("stun", "--udp", "127.0.0.1:" + port, "--rules", file.toString()))) {
            for (int i = 0; i < 300 && log.stream().noneMatch(l -> l.startsWith("fake-stun listening")); i++) {
                assertThat(stun.isAlive()).as("vmc stun exited:%n%s", String.join("\n", log)).isTrue();
                Thread.sleep(100);
            }
            // coturn's client retries forever without an answer: bound it.
            String answer = Shell.run("timeout", "10", "turnutils_stunclient", "-p", String.valueOf(port), "127.0.0.1");
            // The README's `* -> 198.51.100.1` rule (keep the observed port) answers loopback clients.
            assertThat(answer).as("turnutils_stunclient against vmc stun:%n%s", String.join("\n", log))
                    .isNotNull().containsPattern("reflexive addr: 198\\.51\\.100\\.1:\\d+");
        }
    }

    /** Each command a guide shows (fenced or inline code), with the files that show it. */
    static Map<String, List<String>> guideCommands() throws IOException {
        List<Path> guides = new ArrayList<>();
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(guides::add);
        }
        guides.add(ROOT.resolve("README.md"));
        try (Stream<Path> modules = Files.list(ROOT)) {
            modules.map(m -> m.resolve("README.md")).filter(Files::isRegularFile).sorted().forEach(guides::add);
        }
        Map<String, List<String>> commands = new LinkedHashMap<>();
        for (Path guide : guides) {
            String text = Files.readString(guide);
            Matcher fence = FENCE.matcher(text);
            while (fence.find()) {
                for (String line : fence.group(2).split("\n")) {
                    add(commands, line.replaceFirst("\\s+#.*", "").trim(), guide);
                }
            }
            Matcher inline = INLINE.matcher(FENCE.matcher(text).replaceAll(""));
            while (inline.find()) {
                add(commands, inline.group(1).trim(), guide);
            }
        }
        return commands;
    }

    private static void add(Map<String, List<String>> commands, String candidate, Path guide) {
        // "vmc bench transport: payload ..." is a benchmark's printed header, not a command.
        if (COMMAND.matcher(candidate).matches() && !candidate.contains(": ")) {
            commands.computeIfAbsent(candidate, k -> new ArrayList<>()).add(ROOT.relativize(guide).toString());
        }
    }

    private static Path testSource(String className) throws IOException {
        try (Stream<Path> s = Files.walk(ROOT.resolve("integration/src/test/java"))) {
            return s.filter(p -> p.getFileName().toString().equals(className + ".java")).findFirst().orElse(null);
        }
    }
}
