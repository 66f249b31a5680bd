package io.vmc.it.browser;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vmc.it.lab.NetworkLab;
import io.vmc.it.lab.VmcProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium driven by vmc-agent/web-sdk/browser-test/drive.js (puppeteer-core): the pages
 * it serves (and the SDK's modules under /sdk/), JavaScript evaluated in them, the browser's pid.
 * One JSON line per command and answer. The web SDK tests and {@code ./vmc bench web-api} use it;
 * {@link ChromiumPeer} is the plain WebRTC peer.
 */
public final class BrowserDriver implements AutoCloseable {
    private static final Gson GSON = new Gson();

    public final int httpPort;
    public final Path log;
    private final Process process;
    private final Writer in;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    /** vmc-agent/web-sdk in the checkout. */
    public static Path webSdk() throws IOException {
        return VmcProcess.repositoryRoot().resolve("vmc-agent/web-sdk");
    }

    /**
     * Starts Chromium (with VMC's extension from {@code extension}, or none when null) inside
     * {@code namespace} (null: this one), serving pages on 127.0.0.1:{@code httpPort}.
     */
    public BrowserDriver(Path dir, int httpPort, Path extension, String namespace) throws IOException, InterruptedException {
        this(dir, httpPort, extension, namespace, null);
    }

    /** The same with a visible window on the X {@code display} (":99"; null: headless), for screenshots. */
    public BrowserDriver(Path dir, int httpPort, Path extension, String namespace, String display) throws IOException, InterruptedException {
        this.httpPort = httpPort;
        this.log = dir.resolve("browser.log");
        List<String> cmd = new ArrayList<>(List.of("node", webSdk().resolve("browser-test/drive.js").toString(),
                Integer.toString(httpPort), Files.createDirectories(dir.resolve("profile")).toString()));
        if (extension != null) {
            cmd.add(extension.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(NetworkLab.inNamespace(namespace, cmd)).redirectError(log.toFile());
        if (display != null) {
            pb.environment().put("VMC_DISPLAY", display); // drive.js: headful on that display
        }
        process = pb.start();
        in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    answers.add(line);
                }
            } catch (IOException e) {
                answers.add("{\"ok\":false,\"error\":\"" + e + "\"}");
            }
        }, "browser-driver");
        reader.setDaemon(true);
        reader.start();
        String ready = answers.poll(90, TimeUnit.SECONDS);
        if (ready == null || !ready.contains("ready")) {
            throw new IOException("Chromium did not start: " + ready + "\n" + Files.readString(log));
        }
    }

    public Path profile(Path dir) {
        return dir.resolve("profile");
    }

    public String url(String page) {
        return "http://127.0.0.1:" + httpPort + "/" + page;
    }

    public void open(String name, String page) throws IOException, InterruptedException {
        command(Map.of("cmd", "goto", "name", name, "url", url(page)));
    }

    /** The value of a JavaScript expression (awaited if a promise) in the page called name. */
    public JsonElement eval(String name, String js) throws IOException, InterruptedException {
        return command(Map.of("cmd", "eval", "name", name, "js", js)).get("value");
    }

    public long pid() throws IOException, InterruptedException {
        return command(Map.of("cmd", "pid")).get("value").getAsLong();
    }

    /** Polls a boolean expression until it is true. */
    public void await(String name, String js, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            JsonElement v = eval(name, js);
            if (v != null && v.isJsonPrimitive() && v.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + seconds + " s in " + name + ": " + js + "\npage events: "
                        + eval(name, "window.phone ? phone.events : null") + "\nbrowser log:\n" + Files.readString(log));
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private synchronized JsonObject command(Map<String, Object> c) throws IOException, InterruptedException {
        in.write(GSON.toJson(c) + "\n");
        in.flush();
        String line = answers.poll(90, TimeUnit.SECONDS);
        if (line == null) {
            throw new IOException("no answer from the browser driver to " + c + "\n" + Files.readString(log));
        }
        JsonObject answer = JsonParser.parseString(line).getAsJsonObject();
        if (!answer.get("ok").getAsBoolean()) {
            throw new IOException("browser: " + answer.get("error").getAsString() + " (for " + c + ")");
        }
        return answer;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            in.write("{\"cmd\":\"quit\"}\n");
            in.flush();
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
