package io.vmc.agent.daemon;

import io.vmc.agent.internal.AgentClient;
import io.vmc.agent.internal.ApiChannel;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Links an {@link AgentClient} to an {@link AgentCore} in memory, with a fake "I/O thread". */
final class DirectLink implements ApiChannel, AppPeer {
    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-io");
        t.setDaemon(true);
        return t;
    });
    private final int uid;
    private final int pid;
    private ApiChannel.Listener listener;
    private AgentCore.App app;
    private volatile boolean open = true;

    private DirectLink(int uid, int pid) {
        this.uid = uid;
        this.pid = pid;
    }

    static AgentClient connect(AgentCore core, int uid, int pid) {
        DirectLink link = new DirectLink(uid, pid);
        return AgentClient.connect(l -> {
            link.listener = l;
            link.app = core.appConnected(link);
            return link;
        }, "test-app", Duration.ofSeconds(5));
    }

    @Override
    public CompletableFuture<Response> call(Request request) {
        if (!open) {
            return CompletableFuture.failedFuture(new IllegalStateException("closed"));
        }
        CompletableFuture<Response> out = new CompletableFuture<>();
        app.handle(request).whenComplete((r, e) -> io.execute(() -> {
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                out.complete(r);
            }
        }));
        return out;
    }

    @Override
    public boolean isConnected() {
        return open;
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            app.disconnected();
            io.shutdown();
        }
    }

    @Override
    public void sendEvent(Event event) {
        if (open) {
            io.execute(() -> listener.onEvent(event));
        }
    }

    @Override
    public int uid() {
        return uid;
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public String describe() {
        return "direct-app(pid " + pid + ", uid " + uid + ")";
    }
}
