package io.vmc.agent.daemon;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.MediaEngine;
import io.vmc.transport.EventSink;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FALLBACK mode: the same media core as the engine, inside the VM. Created on first use, so an
 * agent that always has an engine never loads GStreamer.
 */
final class LocalBackend implements Backend, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalBackend.class);

    private final EngineConfig config;
    private final EventSink events;
    private MediaEngine engine;
    private boolean closed;

    LocalBackend(EngineConfig config, EventSink events) {
        this.config = config;
        this.events = events;
    }

    @Override
    public String name() {
        return "fallback";
    }

    private synchronized MediaEngine engine() {
        if (closed) {
            throw new IllegalStateException("fallback media core is closed");
        }
        if (engine == null) {
            log.info("starting the in-VM fallback media core ({} -> {})", config.audioSource(), config.audioSink());
            engine = new MediaEngine(config, events);
        }
        return engine;
    }

    @Override
    public CompletableFuture<Response> call(Request request) {
        MediaEngine e;
        synchronized (this) {
            e = engine;
        }
        if (e != null) {
            return e.handle(request);
        }
        // First use loads GStreamer (hundreds of ms): not on the caller's (agentd core) thread.
        CompletableFuture<MediaEngine> started = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                started.complete(engine());
            } catch (RuntimeException | LinkageError ex) {
                started.completeExceptionally(ex);
            }
        }, "vmc-fallback-start");
        t.setDaemon(true);
        t.start();
        return started.thenCompose(en -> en.handle(request));
    }

    synchronized boolean isStarted() {
        return engine != null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }
}
