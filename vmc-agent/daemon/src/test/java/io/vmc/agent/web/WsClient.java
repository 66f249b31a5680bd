package io.vmc.agent.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A test client of the web API on the JDK's WebSocket: whole text messages in a queue, the close status. */
final class WsClient implements AutoCloseable {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>(); // "CODE reason"
    final WebSocket ws;

    WsClient(String url, String secret) throws Exception {
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    messages.add(partial.toString());
                    partial.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                closed.complete(statusCode + " " + reason);
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closed.complete("error " + error);
            }
        };
        ws = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + secret)
                .subprotocols(WebApi.SUBPROTOCOL).connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(url), listener).get(10, TimeUnit.SECONDS);
    }

    void send(String text) {
        ws.sendText(text, true).join();
    }

    void sendBinary(byte[] b) {
        ws.sendBinary(ByteBuffer.wrap(b), true).join();
    }

    /** The next message, or an AssertionError after 10 s. */
    String next() throws InterruptedException {
        String m = messages.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message from agentd within 10 s");
        }
        return m;
    }

    /** Sends a request and returns the next message that is a response (events in between are skipped). */
    String call(String request) throws InterruptedException {
        send(request);
        while (true) {
            String m = next();
            if (m.startsWith("{\"response\"")) {
                return m;
            }
        }
    }

    String closeStatus() throws Exception {
        return closed.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        ws.abort();
    }
}
