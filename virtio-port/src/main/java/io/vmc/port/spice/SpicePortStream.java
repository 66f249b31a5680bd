package io.vmc.port.spice;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.vmc.port.StreamPort;
import io.vmc.port.spice.nativeapi.GLib;
import io.vmc.port.spice.nativeapi.GObject;
import io.vmc.port.spice.nativeapi.SpiceGlib;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client end of a SPICE port channel as a {@link StreamPort}. It outlives the port channel
 * object: when the session reconnects, the new channel of the same name is bound to it again.
 *
 * <p>Writes: refused (0) while the guest has the port closed, since spice-gtk fails such writes
 * and the server would drop them. Each accepted chunk is copied into a {@link Memory} that stays
 * referenced until spice-gtk's completion (spice-gtk sends the caller's buffer by reference, it
 * does not copy), and at most {@link #MAX_IN_FLIGHT} bytes are in flight: with tens of MiB queued
 * the channel stalled.
 *
 * <p>Completions: spice-gtk completes a write from inside its coroutine, and a GTask completing
 * in its own context calls back at once, which would run Java on the coroutine's stack. So writes
 * are started with a private context as the thread default ({@code writeContext}); their
 * completions then always arrive as idle sources there, and the loop thread dispatches them from a
 * 1 ms timer that runs only while writes are in flight.
 *
 * <p>Reads: {@code port-data} fills a ring of {@link #RECEIVE_CAPACITY} bytes. When it is full the
 * loop thread waits up to {@link #RECEIVE_FULL_WAIT_MILLIS} for the reader (which holds the
 * server back through TCP), then drops the data and logs it.
 */
final class SpicePortStream implements StreamPort {
    private static final Logger LOG = LoggerFactory.getLogger(SpicePortStream.class);

    /** Bytes handed to spice-gtk and not yet completed. */
    static final int MAX_IN_FLIGHT = 256 * 1024;
    /** Largest single write (one SPICEVMC_DATA message). */
    static final int MAX_WRITE_CHUNK = 64 * 1024;
    /** Received bytes buffered for the reader. */
    static final int RECEIVE_CAPACITY = 1 << 20;
    static final long RECEIVE_FULL_WAIT_MILLIS = 2000;

    private record Pending(SpicePortStream stream, Memory buffer, int length) {}

    private static final Map<Long, Pending> PENDING = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    // Loop thread only.
    private static Pointer writeContext;
    private static boolean pumping;
    // Strong references for the life of the process.
    private static final GObject.GAsyncReadyCallback WRITE_DONE = SpicePortStream::writeDone;
    private static final GLib.GSourceFunc PUMP = data -> pump();

    private final SpiceSession session;
    private final String name;
    private final GLoop loop;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final byte[] ring = new byte[RECEIVE_CAPACITY];
    private int head;
    private int size;
    private Pointer channel;
    private boolean opened;
    private boolean closed;
    private int inFlight;
    private long generation;
    private long droppedBytes;

    SpicePortStream(SpiceSession session, String name, GLoop loop) {
        this.session = session;
        this.name = name;
        this.loop = loop;
    }

    String name() {
        return name;
    }

    // ---- loop thread: the session binds and feeds the stream ----

    void bind(Pointer ch, boolean isOpened) {
        lock.lock();
        try {
            channel = ch;
            generation++;
            opened = isOpened;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isBoundTo(Pointer ch) {
        lock.lock();
        try {
            return ch.equals(channel);
        } finally {
            lock.unlock();
        }
    }

    void unbind(Pointer ch) {
        lock.lock();
        try {
            if (ch.equals(channel)) {
                channel = null;
                opened = false;
                generation++;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    void setOpened(boolean isOpened) {
        lock.lock();
        try {
            opened = isOpened && channel != null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void onData(Pointer data, int length) {
        int off = 0;
        lock.lock();
        try {
            while (off < length && !closed) {
                int room = RECEIVE_CAPACITY - size;
                if (room == 0) {
                    long left = TimeUnit.MILLISECONDS.toNanos(RECEIVE_FULL_WAIT_MILLIS);
                    while (size == RECEIVE_CAPACITY && left > 0 && !closed) {
                        left = changed.awaitNanos(left);
                    }
                    if (size == RECEIVE_CAPACITY) {
                        droppedBytes += length - off;
                        LOG.error("{}: the reader took nothing for {} ms; dropped {} bytes ({} so far)", describe(),
                                RECEIVE_FULL_WAIT_MILLIS, length - off, droppedBytes);
                        return;
                    }
                    continue;
                }
                int tail = (head + size) % RECEIVE_CAPACITY;
                int n = Math.min(Math.min(room, length - off), RECEIVE_CAPACITY - tail);
                data.read(off, ring, tail, n);
                size += n;
                off += n;
                changed.signalAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    // ---- StreamPort, any one reader thread plus one writer thread ----

    @Override
    public int read(ByteBuffer dst, int timeoutMillis) throws IOException {
        long left = TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
        lock.lock();
        try {
            while (size == 0) {
                if (closed) {
                    throw new IOException(describe() + " is closed");
                }
                if (channel == null || !opened) {
                    return -1;
                }
                if (left <= 0) {
                    return 0;
                }
                left = changed.awaitNanos(left);
            }
            int n = 0;
            while (size > 0 && dst.hasRemaining()) {
                int chunk = Math.min(Math.min(size, dst.remaining()), RECEIVE_CAPACITY - head);
                dst.put(ring, head, chunk);
                head = (head + chunk) % RECEIVE_CAPACITY;
                size -= chunk;
                n += chunk;
            }
            changed.signalAll();
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + describe());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n;
        long gen;
        lock.lock();
        try {
            if (closed) {
                throw new IOException(describe() + " is closed");
            }
            if (channel == null || !opened || !src.hasRemaining()) {
                return 0;
            }
            n = Math.min(Math.min(src.remaining(), MAX_IN_FLIGHT - inFlight), MAX_WRITE_CHUNK);
            if (n <= 0) {
                return 0;
            }
            inFlight += n;
            gen = generation;
        } finally {
            lock.unlock();
        }
        Memory buf = new Memory(n);
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + n);
        buf.getByteBuffer(0, n).put(part);
        src.position(src.position() + n);
        long id = IDS.incrementAndGet();
        PENDING.put(id, new Pending(this, buf, n));
        loop.execute(() -> startWrite(id, gen, buf, n));
        return n;
    }

    @Override
    public boolean awaitWritable(int timeoutMillis) throws IOException {
        long left = TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
        lock.lock();
        try {
            while (!closed && (channel == null || !opened || inFlight >= MAX_IN_FLIGHT)) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            return !closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isPeerConnected() {
        lock.lock();
        try {
            return channel != null && opened;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes written and not yet completed by spice-gtk (tests, diagnostics). */
    int bytesInFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String describe() {
        return "spice:" + name + " (" + session.uri() + ")";
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        session.release(this);
    }

    // ---- writes on the loop thread ----

    private void startWrite(long id, long gen, Memory buf, int n) {
        Pointer ch;
        lock.lock();
        try {
            ch = gen == generation && opened ? channel : null;
        } finally {
            lock.unlock();
        }
        if (ch == null) {
            // The port closed or the channel was replaced since write() took the bytes: they are lost
            // like any bytes in flight when a stream drops; the protocol above recovers.
            finish(id, "the port closed before the write started");
            return;
        }
        if (writeContext == null) {
            writeContext = GLib.INSTANCE.g_main_context_new();
        }
        GLib.INSTANCE.g_main_context_push_thread_default(writeContext);
        try {
            SpiceGlib.INSTANCE.spice_port_channel_write_async(ch, buf, new NativeLong(n), null, WRITE_DONE,
                    new Pointer(id));
        } finally {
            GLib.INSTANCE.g_main_context_pop_thread_default(writeContext);
        }
        if (!pumping) {
            pumping = true;
            GLib.INSTANCE.g_timeout_add(1, PUMP, null);
        }
    }

    private static int pump() {
        while (GLib.INSTANCE.g_main_context_iteration(writeContext, 0) != 0) {
            // dispatch every completion that is ready
        }
        if (PENDING.isEmpty()) {
            pumping = false;
            return 0;
        }
        return 1;
    }

    private static void writeDone(Pointer source, Pointer result, Pointer userData) {
        PointerByReference error = new PointerByReference();
        SpiceGlib.INSTANCE.spice_port_channel_write_finish(source, result, error);
        String failure = null;
        if (error.getValue() != null) {
            Pointer message = error.getValue().getPointer(8);
            failure = message != null ? message.getString(0) : "unknown error";
            GLib.INSTANCE.g_error_free(error.getValue());
        }
        finish(Pointer.nativeValue(userData), failure);
    }

    private static void finish(long id, String failure) {
        Pending p = PENDING.remove(id);
        if (p == null) {
            return;
        }
        if (failure != null) {
            LOG.debug("{}: write of {} bytes failed: {}", p.stream.describe(), p.length, failure);
        }
        p.stream.lock.lock();
        try {
            p.stream.inFlight -= p.length;
            p.stream.changed.signalAll();
        } finally {
            p.stream.lock.unlock();
        }
    }
}
