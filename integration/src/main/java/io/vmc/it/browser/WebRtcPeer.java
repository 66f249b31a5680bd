package io.vmc.it.browser;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vmc.it.lab.NetworkLab;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebRTC peer nobody here wrote, in its own process and network namespace, driven over one JSON
 * line protocol (integration/browser/driver.js for Chromium, webrtcbin_peer.py for GStreamer):
 * offer/answer, trickled candidates, ICE restart, and what it hears, sees and reports in its stats.
 */
public class WebRtcPeer implements AutoCloseable {
    /** A generous deadline per request: a loaded 2-core machine starts Chromium in seconds. */
    private static final long REPLY_SECONDS = 60;
    private static final Gson GSON = new Gson();

    /** One ICE candidate as RTCIceCandidateInit has it; null candidate text ends gathering. */
    public record Candidate(String candidate, String sdpMid, Integer sdpMLineIndex) {}

    /** A colour seen in the middle of the received video (-1 when nothing was decoded yet). */
    public record Colour(int r, int g, int b) {
        /** Whether each channel is within {@code tolerance} of {@code rgb} (0xRRGGBB). */
        public boolean near(int rgb, int tolerance) {
            return Math.abs(r - (rgb >> 16 & 0xff)) <= tolerance && Math.abs(g - (rgb >> 8 & 0xff)) <= tolerance
                    && Math.abs(b - (rgb & 0xff)) <= tolerance;
        }
    }

    /** The peer's getStats(), as the page or the script summarises it. */
    public record Stats(JsonObject json) {
        public String connectionState() {
            return json.get("connectionState").getAsString();
        }

        /** The DTLS state of each transport (one with BUNDLE). */
        public List<String> dtlsStates() {
            List<String> states = new ArrayList<>();
            json.getAsJsonArray("transports").forEach(t -> states.add(t.getAsJsonObject().get("dtlsState").getAsString()));
            return states;
        }

        public long packetsReceived(String kind) {
            return counter("inbound", kind, "packetsReceived");
        }

        public long packetsSent(String kind) {
            return counter("outbound", kind, "packetsSent");
        }

        /** The selected candidate pair's remote address:port (Chromium only; null otherwise). */
        public String remoteAddress() {
            JsonElement pair = json.get("pair");
            return pair == null || pair.isJsonNull() ? null : pair.getAsJsonObject().get("remote").getAsString();
        }

        private long counter(String direction, String kind, String name) {
            JsonObject streams = json.getAsJsonObject(direction);
            JsonElement s = streams == null ? null : streams.get(kind);
            JsonElement v = s == null ? null : s.getAsJsonObject().get(name);
            return v == null || v.isJsonNull() ? 0 : v.getAsLong();
        }

        @Override
        public String toString() {
            return json.toString();
        }
    }

    private final String name;
    private final Process process;
    private final OutputStream requests;
    private final Map<Long, CompletableFuture<JsonElement>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final Path log;
    private final FakeMedia media;

    /**
     * Starts {@code command} (inside {@code namespace} when not null), sending {@code media}, its
     * stderr to {@code log}, and waits for its first line.
     */
    protected WebRtcPeer(String name, String namespace, FakeMedia media, List<String> command, Path log)
            throws IOException {
        this.name = name;
        this.media = media;
        this.log = log;
        process = new ProcessBuilder(NetworkLab.inNamespace(namespace, command))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        requests = process.getOutputStream();
        Thread reader = new Thread(this::readReplies, "webrtc-peer-" + name);
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(REPLY_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw new IOException(name + " did not start (see " + log + "): " + e.getMessage(), e);
        }
    }

    private void readReplies() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                JsonObject m = JsonParser.parseString(line).getAsJsonObject();
                if (m.has("ready")) {
                    ready.complete(m.get("version").getAsString());
                    continue;
                }
                CompletableFuture<JsonElement> f = m.get("id").isJsonNull() ? null : pending.remove(m.get("id").getAsLong());
                if (f == null) {
                    continue; // a reply to a request that was given up, or an unaddressed protocol error
                }
                if (m.has("error")) {
                    f.completeExceptionally(new IOException(name + ": " + m.get("error").getAsString()));
                } else {
                    f.complete(m.get("result"));
                }
            }
        } catch (IOException | RuntimeException e) {
            ready.completeExceptionally(e);
        }
        IOException ended = new IOException(name + " ended (exit " + (process.isAlive() ? "?" : process.exitValue())
                + "); see " + log);
        ready.completeExceptionally(ended);
        pending.values().forEach(f -> f.completeExceptionally(ended));
    }

    /** The implementation and its version, e.g. "Chrome/156.0.8078.114" or "webrtcbin GStreamer 1.22.0". */
    public String version() {
        return ready.join();
    }

    public String name() {
        return name;
    }

    /** The tone and colour this peer sends. */
    public FakeMedia media() {
        return media;
    }

    /** Sends one request and waits for its reply. */
    protected JsonElement call(String call, Object... args) throws IOException {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonElement> reply = new CompletableFuture<>();
        pending.put(id, reply);
        JsonObject request = new JsonObject();
        request.addProperty("id", id);
        request.addProperty("call", call);
        request.add("args", GSON.toJsonTree(args));
        synchronized (requests) {
            requests.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            requests.flush();
        }
        try {
            JsonElement r = reply.get(REPLY_SECONDS, TimeUnit.SECONDS);
            return r == null ? JsonNull.INSTANCE : r;
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            pending.remove(id);
            throw new IOException(name + ": no reply to " + call + " within " + REPLY_SECONDS + " s; see " + log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(name + ": interrupted", e);
        }
    }

    /** Opens the microphone and camera and a new RTCPeerConnection (closing the previous one). */
    public void start() throws IOException {
        call("start", Map.of());
    }

    /** createOffer + setLocalDescription; with {@code gather}, the SDP carries every candidate. */
    public String offer(boolean gather) throws IOException {
        return call("offer", Map.of("gather", gather)).getAsString();
    }

    /** An offer with new ICE credentials (ICE restart), candidates gathered. */
    public String offerIceRestart() throws IOException {
        return call("offer", Map.of("gather", true, "iceRestart", true)).getAsString();
    }

    /** setRemoteDescription(offer) + createAnswer + setLocalDescription. */
    public String answer(String offer, boolean gather) throws IOException {
        return call("answer", offer, Map.of("gather", gather)).getAsString();
    }

    /** setRemoteDescription(answer). */
    public void accept(String answer) throws IOException {
        call("accept", answer);
    }

    public void addCandidate(Candidate c) throws IOException {
        call("addCandidate", c);
    }

    /** Local candidates gathered since the last call; a null candidate marks the end. */
    public List<Candidate> takeCandidates() throws IOException {
        List<Candidate> out = new ArrayList<>();
        call("takeCandidates").getAsJsonArray().forEach(e -> out.add(e.isJsonNull()
                ? new Candidate(null, null, null) : GSON.fromJson(e, Candidate.class)));
        return out;
    }

    /** The dominant frequency of what it hears from the far side, in Hz (0 before any audio). */
    public double hearing() throws IOException {
        return call("hearing").getAsJsonObject().get("hz").getAsDouble();
    }

    /** The mean colour of the middle of the far side's video. */
    public Colour seeing() throws IOException {
        JsonObject c = call("seeing").getAsJsonObject();
        return new Colour(c.get("r").getAsInt(), c.get("g").getAsInt(), c.get("b").getAsInt());
    }

    public Stats stats() throws IOException {
        return new Stats(call("stats").getAsJsonObject());
    }

    /** Closes stdin (the peer ends itself), then ends what is left of the process tree. */
    @Override
    public void close() {
        try {
            requests.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
