package io.vmc.port.qmp;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a QEMU virtio-serial port from the host through QMP: the socket chardev behind the port
 * does not show whether the guest has the port open, QMP's {@code VSERPORT_CHANGE} event does.
 *
 * <p>Connects to a QMP unix socket ({@code -qmp unix:PATH,server=on,wait=off} or libvirt's monitor
 * socket), negotiates capabilities, and reports {@code VSERPORT_CHANGE} events whose {@code id}
 * is the watched {@code virtserialport} device id (not the port name) to a {@link Listener}.
 * Callbacks run on one thread of their own, in order, never on the socket reader thread.
 *
 * @see <a href="https://www.qemu.org/docs/master/interop/qemu-qmp-ref.html">QMP reference</a>
 */
public final class QmpWatcher implements Closeable {

    /** Longest QMP message accepted, in bytes; QEMU's replies to the few commands used are tiny. */
    public static final int MAX_MESSAGE_BYTES = 1 << 20;

    /** Default wait for the handshake and for each command's reply. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(QmpWatcher.class);

    /** What the watcher reports. Methods have no-op defaults so events can be added later. */
    public interface Listener {
        /** The guest opened the port (a process in the guest opened its device node). */
        default void guestPortOpened(String portId) {
        }

        /** The guest closed the port (its process closed the device or exited, or the guest reset). */
        default void guestPortClosed(String portId) {
        }

        /** The QMP connection ended (QEMU quit); {@code cause} is null after {@link #close()}. */
        default void qmpClosed(IOException cause) {
        }
    }

    private final SocketChannel channel;
    private final InputStream in;
    private final String portId;
    private final Listener listener;
    private final Duration timeout;
    private final ExecutorService callbacks;
    private final Thread reader;
    private final Map<Long, CompletableFuture<Object>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Object writeLock = new Object();
    private volatile boolean closed;
    private volatile String chardevLabel;

    private QmpWatcher(SocketChannel channel, String portId, Listener listener, Duration timeout) {
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
        this.portId = portId;
        this.listener = listener;
        this.timeout = timeout;
        this.callbacks = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "qmp-events-" + portId);
            t.setDaemon(true);
            return t;
        });
        this.reader = new Thread(this::readLoop, "qmp-reader-" + portId);
        this.reader.setDaemon(true);
    }

    /** Connects with {@link #DEFAULT_TIMEOUT}. */
    public static QmpWatcher connect(Path qmpSocket, String portId, Listener listener) throws IOException {
        return connect(qmpSocket, portId, listener, DEFAULT_TIMEOUT);
    }

    /**
     * Connects to QEMU's QMP socket and starts watching the {@code virtserialport} whose device id
     * is {@code portId}.
     */
    public static QmpWatcher connect(Path qmpSocket, String portId, Listener listener, Duration timeout)
            throws IOException {
        Objects.requireNonNull(portId, "portId");
        Objects.requireNonNull(listener, "listener");
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        QmpWatcher watcher;
        try {
            channel.connect(UnixDomainSocketAddress.of(qmpSocket));
            watcher = new QmpWatcher(channel, portId, listener, timeout);
            watcher.handshake(qmpSocket);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        watcher.reader.start();
        return watcher;
    }

    /** The watched {@code virtserialport} device id. */
    public String portId() {
        return portId;
    }

    /**
     * Asks QEMU whether the guest has the port open now: the port's chardev ({@code qom-get}) and
     * its {@code frontend-open} flag ({@code query-chardev}).
     */
    public boolean isGuestPortOpen() throws IOException {
        String label = chardevLabel;
        if (label == null) {
            Object r = execute("qom-get", Map.of("path", "/machine/peripheral/" + portId, "property", "chardev"));
            if (!(r instanceof String s)) {
                throw new IOException("qom-get " + portId + ".chardev returned " + r);
            }
            chardevLabel = label = s;
        }
        Object r = execute("query-chardev", Map.of());
        if (r instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && label.equals(m.get("label"))) {
                    return Boolean.TRUE.equals(m.get("frontend-open"));
                }
            }
        }
        throw new IOException("query-chardev has no chardev '" + label + "' for port " + portId);
    }

    /**
     * Runs a QMP command and returns its {@code return} value (maps, lists, strings, numbers).
     *
     * @throws QmpException when QEMU answers with an error
     */
    public Object execute(String command, Map<String, ?> arguments) throws IOException {
        long id = ids.incrementAndGet();
        CompletableFuture<Object> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            StringBuilder msg = new StringBuilder("{\"execute\":").append(Json.quote(command));
            if (arguments != null && !arguments.isEmpty()) {
                msg.append(",\"arguments\":").append(Json.write(arguments));
            }
            msg.append(",\"id\":").append(id).append("}\n");
            send(msg.toString());
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for QMP " + command);
        } catch (TimeoutException e) {
            throw new IOException("no reply to QMP " + command + " within " + timeout);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("QMP " + command + " failed", e.getCause());
        } finally {
            pending.remove(id);
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
            reader.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            callbacks.shutdown();
        }
    }

    private void handshake(Path socket) throws IOException {
        // QEMU sends its greeting, then holds events back until capabilities are negotiated.
        Object greeting = Json.parse(readMessage());
        if (!(greeting instanceof Map<?, ?> g) || !g.containsKey("QMP")) {
            throw new IOException(socket + " is not a QMP socket: first message was " + abbreviate(greeting));
        }
        send("{\"execute\":\"qmp_capabilities\"}\n");
        while (true) {
            Object msg = Json.parse(readMessage());
            if (msg instanceof Map<?, ?> m) {
                if (m.containsKey("return")) {
                    return;
                }
                if (m.containsKey("error")) {
                    throw new QmpException("qmp_capabilities", m.get("error"));
                }
            }
        }
    }

    private void readLoop() {
        IOException failure = null;
        try {
            while (!closed) {
                String text = readMessage();
                Object msg;
                try {
                    msg = Json.parse(text);
                } catch (IllegalArgumentException e) {
                    throw new IOException("QMP sent invalid JSON (" + e.getMessage() + "): " + abbreviate(text), e);
                }
                if (msg instanceof Map<?, ?> m) {
                    dispatch(m);
                }
            }
        } catch (IOException e) {
            if (!closed) {
                failure = e;
                LOG.warn("QMP connection for port {} ended: {}", portId, e.toString());
            }
        } finally {
            IOException cause = failure != null ? failure : new EOFException("QMP connection closed");
            pending.values().forEach(f -> f.completeExceptionally(cause));
            IOException reported = failure;
            try {
                callbacks.execute(() -> listener.qmpClosed(reported));
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // close() already shut the callback thread down; nobody is listening any more.
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // Already failing or closing; the first error is the one reported.
            }
        }
    }

    private void dispatch(Map<?, ?> m) {
        if (m.get("event") instanceof String event) {
            if ("VSERPORT_CHANGE".equals(event) && m.get("data") instanceof Map<?, ?> data
                    && portId.equals(data.get("id")) && data.get("open") instanceof Boolean open) {
                callbacks.execute(() -> {
                    if (open) {
                        listener.guestPortOpened(portId);
                    } else {
                        listener.guestPortClosed(portId);
                    }
                });
            }
            return;
        }
        if (m.get("id") instanceof Long id) {
            CompletableFuture<Object> f = pending.get(id);
            if (f != null) {
                if (m.containsKey("error")) {
                    f.completeExceptionally(new QmpException("command " + id, m.get("error")));
                } else {
                    f.complete(m.get("return"));
                }
            }
        }
    }

    private void send(String text) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        synchronized (writeLock) {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }
    }

    /** Reads one newline-terminated message, bounded by {@link #MAX_MESSAGE_BYTES}. */
    private String readMessage() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("QMP connection closed by QEMU");
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.UTF_8).strip();
                if (!s.isEmpty()) {
                    return s;
                }
                line.reset();
                continue;
            }
            if (line.size() >= MAX_MESSAGE_BYTES) {
                throw new IOException("QMP message longer than the allowed maximum (" + MAX_MESSAGE_BYTES + " bytes)");
            }
            line.write(b);
        }
    }

    private static String abbreviate(Object o) {
        String s = String.valueOf(o);
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
