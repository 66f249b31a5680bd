package io.vmc.engine.internal.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one event node on its own daemon thread and hands each decoded report's events to
 * {@code events}. Blocking reads on an interruptible {@link FileChannel}: {@link #close()} interrupts
 * the thread, which closes the channel. Writes the mute LED where the device has one (the kernel
 * passes an {@code EV_LED} written to the node to the device). The reader stops for good at the end
 * of the stream (device unplugged), on an I/O error or on malformed input, and says why to {@code ended}.
 */
public final class EvdevReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EvdevReader.class);
    /** Bytes per read: the kernel returns whole events, up to what fits. */
    static final int READ_BYTES = InputEvent.BYTES * 32;

    private final Path node;
    private final boolean muteLed;
    private final Consumer<InputEvent> events;
    private final Consumer<String> ended;
    private final Thread thread;
    private volatile boolean closed;
    private FileChannel ledChannel; // guarded by this

    public EvdevReader(Path node, boolean muteLed, Consumer<InputEvent> events, Consumer<String> ended) {
        this.node = node;
        this.muteLed = muteLed;
        this.events = events;
        this.ended = ended;
        this.thread = new Thread(this::run, "vmc-headset-" + node.getFileName());
        thread.setDaemon(true);
    }

    public Path node() {
        return node;
    }

    public void start() {
        thread.start();
    }

    /** Whether the reading thread is still there (it ends after {@link #close()} or the end of input). */
    public boolean isReading() {
        return thread.isAlive();
    }

    private void run() {
        InputEventDecoder decoder = new InputEventDecoder();
        String why;
        try (FileChannel ch = FileChannel.open(node, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(READ_BYTES);
            while (true) {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    why = "end of stream";
                    break;
                }
                for (List<InputEvent> report : decoder.decode(buf.array(), 0, n)) {
                    for (InputEvent e : report) events.accept(e);
                }
            }
        } catch (ClosedChannelException e) { // also ClosedByInterruptException: close()
            why = "closed";
        } catch (IOException e) {
            why = e.toString();
        } catch (InputEventDecoder.MalformedInputException e) {
            LOG.warn("headset buttons: {} is not a well-formed input device, not reading it: {}", node, e.getMessage());
            why = e.getMessage();
        } catch (RuntimeException e) {
            LOG.warn("headset buttons: reading {} failed", node, e);
            why = e.toString();
        }
        if (!closed) ended.accept(why);
    }

    /** Turns the device's mute LED on or off; nothing for a device without one. */
    public synchronized void setMuteLed(boolean on) {
        if (!muteLed || closed) return;
        try {
            if (ledChannel == null) ledChannel = FileChannel.open(node, StandardOpenOption.WRITE);
            ByteBuffer b = ByteBuffer.allocate(2 * InputEvent.BYTES);
            b.put(InputEventDecoder.encode(InputEvent.of(InputEvent.EV_LED, InputEvent.LED_MUTE, on ? 1 : 0)));
            b.put(InputEventDecoder.encode(InputEvent.of(InputEvent.EV_SYN, InputEvent.SYN_REPORT, 0)));
            b.flip();
            while (b.hasRemaining()) ledChannel.write(b);
        } catch (IOException e) {
            LOG.debug("headset buttons: cannot set the mute LED of {}: {}", node, e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        synchronized (this) {
            if (ledChannel != null) {
                try {
                    ledChannel.close();
                } catch (IOException e) {
                    LOG.debug("closing {}: {}", node, e.toString());
                }
                ledChannel = null;
            }
        }
    }
}
