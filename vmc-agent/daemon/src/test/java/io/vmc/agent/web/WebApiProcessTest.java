package io.vmc.agent.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vmc.agent.AgentdCommand;
import io.vmc.agent.WebSecretCommand;
import io.vmc.agent.api.Vmc;
import io.vmc.agent.api.VmcException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * agentd as its own process with the JVM options it ships with (packaging/agentd.jvm): with the web
 * API off, none of its classes are loaded; turned on by the admin's config file, the Python client
 * reaches it with the secret that {@code vmc agentd web-secret} stored, and a page of another site
 * is refused.
 */
@Timeout(120)
class WebApiProcessTest {
    /** Class name prefixes that only the web API uses. */
    static final List<String> WEB_ONLY = List.of("io.vmc.agent.web.", "io.netty.handler.codec.http.", "com.google.protobuf.util.",
            "com.google.gson.");

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void kill() {
        processes.forEach(Process::destroyForcibly);
    }

    private Process agentd(String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of("..", "packaging", "agentd.jvm").toAbsolutePath(), "-Xlog:class+load=info:file=" + dir.resolve(name + "-classes.log"),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), AgentdCommand.class.getName(),
                "--channel", "unix:" + dir.resolve("no-engine.sock"), "--api-socket", dir.resolve(name + ".sock").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        processes.add(p);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(dir.resolve(name + ".sock")) || !p.isAlive());
        assertThat(p.isAlive()).as(Files.readString(dir.resolve(name + ".log"))).isTrue();
        return p;
    }

    private static String proc(Process p, String key) throws Exception {
        return Files.readAllLines(Path.of("/proc", String.valueOf(p.pid()), "status")).stream().filter(l -> l.startsWith(key + ":"))
                .findFirst().orElseThrow().substring(key.length() + 1).strip();
    }

    private String python(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(WebApiTest.PYTHON, WebApiTest.CLIENT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return p.exitValue() + ": " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void offItLoadsNothingOnItIsReachedWithTheStoredSecret() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.conf"), "# nothing set\n");
        Process off = agentd("off", "--config", empty.toString());
        try (Vmc vmc = Vmc.connect(dir.resolve("off.sock"))) {
            assertThat(vmc.status().sessionIds()).isEmpty();
        }
        assertThatThrownBy(() -> SecretFiles.fetch(dir.resolve("off.sock"), Duration.ofSeconds(15)))
                .isInstanceOf(VmcException.class).hasMessageContaining("the web API is off");
        List<String> loaded = Files.readAllLines(dir.resolve("off-classes.log"));
        assertThat(loaded).filteredOn(l -> WEB_ONLY.stream().anyMatch(l::contains)).as("web API classes loaded while it is off").isEmpty();
        System.out.printf("agentd, web API off: %d classes loaded, RSS %s, %s threads%n", loaded.size(), proc(off, "VmRSS"), proc(off, "Threads"));

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = Files.writeString(dir.resolve("agentd.conf"), "# the guest admin's file\nweb-api.listen = 127.0.0.1:" + port
                + "\nweb-api.allowed-origins = https://phone.example.com, chrome-extension://abcdefghijklmnopabcdefghijklmnop\n");
        Process on = agentd("on", "--config", conf.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(dir.resolve("on.log"))
                .contains("and web API on ws://127.0.0.1:" + port + "/vmc.v1"));
        Path user = dir.resolve("runtime").resolve("vmc");
        assertThat(new picocli.CommandLine(new WebSecretCommand()).execute("--api-socket", dir.resolve("on.sock").toString(),
                "--dir", user.toString())).isZero();
        assertThat(python("status", "--dir", user.toString())).startsWith("0: mode FALLBACK (NO_ENGINE)");
        assertThat(python("status", "--dir", user.toString(), "--origin", "https://phone.example.com")).startsWith("0: mode FALLBACK");
        assertThat(python("status", "--dir", user.toString(), "--origin", "https://evil.example")).startsWith("1: ").contains("403");
        Files.writeString(user.resolve("web-api.secret"), "vmc1.0.forged\n");
        assertThat(python("status", "--dir", user.toString())).startsWith("1: ").contains("401");
        assertThat(Files.readString(dir.resolve("on.log"))).contains("refused").contains("403 origin not allowed").contains("401 wrong secret")
                .doesNotContain("forged");
        // the browser's side: the native messaging host as its own process, no files yet: it asks agentd
        Path fresh = dir.resolve("fresh-runtime").resolve("vmc");
        Process host = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), AgentdCommand.class.getName(), "native-host",
                "--api-socket", dir.resolve("on.sock").toString(), "--dir", fresh.toString(), "chrome-extension://abcdefghijklmnopabcdefghijklmnop/")
                .redirectError(dir.resolve("host.log").toFile()).start();
        processes.add(host);
        byte[] ask = "{\"type\":\"getConnection\"}".getBytes(StandardCharsets.UTF_8);
        host.getOutputStream().write(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(ask.length).array());
        host.getOutputStream().write(ask);
        host.getOutputStream().close(); // the browser closes the port: the host answers, then exits
        byte[] answer = NativeMessaging.read(host.getInputStream());
        assertThat(host.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(host.exitValue()).as(Files.readString(dir.resolve("host.log"))).isZero();
        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"connection\",\"url\":\"ws://127.0.0.1:" + port
                + "/vmc.v1\",\"secret\":\"" + Files.readString(fresh.resolve("web-api.secret")).strip() + "\"}");
        assertThat(host.getInputStream().read()).as("nothing but the framed answer on stdout").isEqualTo(-1);
        System.out.printf("agentd, web API on and used: %d classes loaded, RSS %s, %s threads%n",
                Files.readAllLines(dir.resolve("on-classes.log")).size(), proc(on, "VmRSS"), proc(on, "Threads"));
    }
}
