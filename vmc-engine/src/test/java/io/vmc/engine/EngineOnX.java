package io.vmc.engine;

import static org.awaitility.Awaitility.await;

import io.vmc.engine.VideoOverlayCallTest.XServer;
import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code vmc engine} as a user runs it: its own JVM on a private Xvfb (AWT takes its display from
 * $DISPLAY), serving a unix socket with the loopback policy, and an agent connected to it whose
 * events the test reads. A failure inside {@link #check} comes with the tail of the engine's output.
 */
final class EngineOnX implements AutoCloseable {
    interface Body {
        void run() throws Exception;
    }

    final XServer x;
    final Process engine;
    final VmcEndpoint agent;
    final List<Event> events;
    final Path log;

    private EngineOnX(XServer x, Process engine, VmcEndpoint agent, List<Event> events, Path log) {
        this.x = x;
        this.engine = engine;
        this.agent = agent;
        this.events = events;
        this.log = log;
    }

    /** Starts Xvfb, the engine with {@code --tone 440 --speaker none} and {@code options}, and the agent. */
    static EngineOnX start(Path dir, String software, String... options) throws Exception {
        return start(EngineCommand.class, dir, software, options);
    }

    /** As {@link #start(Path, String, String...)}, with {@code main} (a wrapper of EngineCommand) as the main class. */
    static EngineOnX start(Class<?> main, Path dir, String software, String... options) throws Exception {
        Tools.require("Xvfb");
        Tools.require("xdotool");
        Path sock = dir.resolve("engine.sock");
        Path log = dir.resolve("engine.log");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // The peer engine is on loopback: allowed by the client policy, as an admin would (media.allow-local).
        Path policy = Files.writeString(dir.resolve("engine.conf"), TestEngine.LOOPBACK_POLICY);
        XServer x = XServer.start();
        Process child = null;
        try {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", cp, main.getName(), "--channel", "unix-listen:" + sock, "--policy", policy.toString(),
                    "--ice-address", "127.0.0.1", "--tone", "440", "--speaker", "none"));
            cmd.addAll(List.of(options));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("DISPLAY", x.display);
            child = pb.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(sock));
            List<Event> events = new CopyOnWriteArrayList<>();
            VmcEndpoint agent = VmcEndpoint.builder().channel("unix:" + sock).role(Hello.Role.ROLE_AGENTD)
                    .software(software).eventSink(events::add)
                    .requestHandler(r -> CompletableFuture.completedFuture(Response.newBuilder()
                            .setEmpty(io.vmc.transport.proto.Empty.getDefaultInstance()).build()))
                    .build();
            agent.start().get(30, TimeUnit.SECONDS);
            return new EngineOnX(x, child, agent, events, log);
        } catch (Exception | Error e) {
            if (child != null) child.destroyForcibly();
            x.close();
            throw e;
        }
    }

    void check(Body body) throws Exception {
        try {
            body.run();
        } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\nengine log:\n" + CameraPromptTest.tail(log), e);
        }
    }

    /** CreateSession for {@code app}, audio and, when asked, video. */
    String create(String app, boolean video, String label) throws Exception {
        return CameraPromptTest.call(agent, Request.newBuilder().setCreateSession(CreateSession.newBuilder().setAppId(app)
                .setOptions(SessionOptions.newBuilder().setAudio(true).setVideo(video).setLabel(label))))
                .getSessionCreated().getSessionId();
    }

    @Override
    public void close() throws Exception {
        try {
            agent.close();
        } finally {
            engine.destroy();
            if (!engine.waitFor(10, TimeUnit.SECONDS)) engine.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            x.close();
        }
    }
}
