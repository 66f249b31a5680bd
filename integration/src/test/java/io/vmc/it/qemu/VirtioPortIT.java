package io.vmc.it.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.port.qmp.QmpWatcher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link io.vmc.port.VirtioPort} in a real guest, its host end being QEMU's socket chardev, and
 * {@link QmpWatcher} against the real QEMU.
 */
@Timeout(300)
class VirtioPortIT {

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension();

    private static final Duration JAVA_START = Duration.ofSeconds(120);
    private static final Duration IO = Duration.ofSeconds(30);

    private final List<GuestProcess> started = new CopyOnWriteArrayList<>();
    private final List<String> qmpEvents = new CopyOnWriteArrayList<>();
    private QmpWatcher qmp;

    @BeforeEach
    void watch() throws IOException {
        qmp = QmpWatcher.connect(GUEST.vm().qmpSocket(), GuestVm.PORT_ID, new QmpWatcher.Listener() {
            @Override
            public void guestPortOpened(String portId) {
                qmpEvents.add("open");
            }

            @Override
            public void guestPortClosed(String portId) {
                qmpEvents.add("closed");
            }
        });
    }

    @AfterEach
    void stopGuestPrograms() throws IOException {
        for (GuestProcess p : started) {
            p.stop(Duration.ofSeconds(10));
        }
        qmp.close();
        // The next test starts with the port closed in the guest.
        await().atMost(IO).until(() -> !isOpenByQmp());
    }

    private GuestProcess startEcho() throws IOException {
        GuestProcess p = GUEST.vm().java(GuestPortTool.class.getName(), "echo");
        started.add(p);
        return p;
    }

    @Test
    void exchangesDataBothWaysThroughTheNamedPort() throws Exception {
        GuestProcess echo = startEcho();
        try (SocketChannel host = GUEST.vm().connectPort()) {
            // Unsolicited guest -> host: the banner, written as soon as a host is there.
            String banner = readLine(host);
            assertThat(banner).startsWith("GUEST-READY virtio:org.spice-space.vmc.0 (/dev/vport").endsWith(")");
            // No udev in the guest: the node was found through /sys/class/virtio-ports/*/name.
            assertThat(echo.output()).contains("OPEN virtio:org.spice-space.vmc.0 (/dev/vport");

            writeAll(host, "hello guest\n");
            assertThat(readLine(host)).isEqualTo("hello guest");

            byte[] blob = new byte[200_000];
            for (int i = 0; i < blob.length; i++) {
                blob[i] = (byte) (i * 31 + (i >> 8));
            }
            assertThat(echoThrough(host, blob)).isEqualTo(blob);
        }
    }

    @Test
    void hostAwayThenBack_guestHoldsItsBytesAndDeliversThemAfterwards() throws Exception {
        GuestProcess echo = startEcho();
        try (SocketChannel host = GUEST.vm().connectPort()) {
            assertThat(readLine(host)).startsWith("GUEST-READY");
            writeAll(host, "before\n");
            assertThat(readLine(host)).isEqualTo("before");
            writeAll(host, "L\n");
            echo.awaitOutput("WAITING-FOR-GO", IO);
        }
        // Once QEMU has seen the host go, the guest's write gets EAGAIN (0) and poll says POLLHUP.
        await().atMost(IO).until(() -> !hostEndConnected());
        Files.writeString(GUEST.vm().sharedDir().resolve("go-late"), "");
        echo.awaitOutput("WROTE-LATE", IO);
        assertThat(echo.output()).contains("WROTE-LATE 0 peer=false");
        assertThat(echo.output()).doesNotContain("LATE-WRITTEN");

        try (SocketChannel host = GUEST.vm().connectPort()) {
            // The guest kept "late" and wrote it once the host was back; the echo works again.
            assertThat(readLine(host)).isEqualTo("late");
            writeAll(host, "after\n");
            assertThat(readLine(host)).isEqualTo("after");
        }
        assertThat(echo.output()).contains("LATE-WRITTEN");
        assertThat(echo.isAlive()).as("EOF on the port is not final").isTrue();
    }

    /**
     * What a host disconnect costs a guest that is writing flat out: the bytes QEMU had already
     * passed to the old connection (socket buffers, in-flight writes) are gone. The stream resumes
     * after a gap; the transport's acknowledgements and replay must cover it.
     */
    @Test
    void hostDisconnectMidStream_streamResumesAfterAGapOfLostBytes() throws Exception {
        GuestProcess counter = GUEST.vm().java(GuestPortTool.class.getName(), "count");
        started.add(counter);
        long last;
        try (SocketChannel host = GUEST.vm().connectPort()) {
            String line;
            do {
                line = readLine(host);
            } while (Long.parseLong(line) < 2000);
            last = Long.parseLong(line);
        }
        counter.awaitOutput("NO-PEER at", IO);
        long first;
        try (SocketChannel host = GUEST.vm().connectPort()) {
            String line = readLine(host);
            if (!line.matches("\\d+")) {
                line = readLine(host); // a line torn by the disconnect
            }
            first = Long.parseLong(line);
            assertThat(Long.parseLong(readLine(host))).isEqualTo(first + 1);
        }
        counter.awaitOutput("PEER-AGAIN at", IO);
        long heldAt = Long.parseLong(counter.output().lines().filter(l -> l.startsWith("NO-PEER at "))
                .findFirst().orElseThrow().substring("NO-PEER at ".length()));
        System.out.printf("host disconnect mid-stream: host read up to %d, guest blocked at %d, host got %d next:"
                + " %d lines lost in flight%n", last, heldAt, first, first - last - 1);
        assertThat(first).isGreaterThan(last);
        assertThat(heldAt).as("nothing from the guest's hold onwards is lost").isGreaterThanOrEqualTo(first);
    }

    @Test
    void guestCloseAndReopenAreSeenThroughQmp_andHostWritesMeanwhileAreHeld() throws Exception {
        assertThat(qmp.isGuestPortOpen()).isFalse();
        GuestProcess first = startEcho();
        try (SocketChannel host = GUEST.vm().connectPort()) {
            assertThat(readLine(host)).startsWith("GUEST-READY");
            await().atMost(IO).until(() -> qmpEvents.contains("open"));
            assertThat(qmp.isGuestPortOpen()).isTrue();

            assertThat(first.stop(Duration.ofSeconds(10))).isNotZero(); // SIGTERM: 143
            await().atMost(IO).until(() -> qmpEvents.equals(List.of("open", "closed")));
            assertThat(qmp.isGuestPortOpen()).isFalse();
            assertThat(host.isConnected()).as("the socket itself shows nothing").isTrue();

            writeAll(host, "held\n");

            startEcho();
            assertThat(readLine(host)).startsWith("GUEST-READY");
            assertThat(readLine(host)).as("written while no guest process had the port").isEqualTo("held");
            await().atMost(IO).until(() -> qmpEvents.equals(List.of("open", "closed", "open")));
            assertThat(qmp.isGuestPortOpen()).isTrue();
        }
    }

    @Test
    void secondOpenIsBusyAndSaysWhy() throws Exception {
        GuestProcess holder = startEcho();
        holder.awaitOutput("OPEN ", JAVA_START);
        GuestProcess second = GUEST.vm().java(GuestPortTool.class.getName(), "open-once");
        assertThat(second.waitFor(JAVA_START)).as(second.output()).isEqualTo(3);
        assertThat(second.output())
                .contains("BUSY: virtio port 'org.spice-space.vmc.0' (/dev/vport")
                .contains("is vmc-agentd already running?");
        assertThat(holder.isAlive()).isTrue();
    }

    /** QEMU's view of the socket chardev behind the port: "disconnected:unix:..." while nobody is there. */
    private boolean hostEndConnected() throws IOException {
        Object chardevs = qmp.execute("query-chardev", java.util.Map.of());
        return ((List<?>) chardevs).stream().map(c -> (java.util.Map<?, ?>) c)
                .filter(c -> GuestVm.PORT_CHARDEV_ID.equals(c.get("label")))
                .map(c -> String.valueOf(c.get("filename")))
                .noneMatch(f -> f.startsWith("disconnected"));
    }

    private boolean isOpenByQmp() throws IOException {
        try (QmpWatcher w = QmpWatcher.connect(GUEST.vm().qmpSocket(), GuestVm.PORT_ID, new QmpWatcher.Listener() { })) {
            return w.isGuestPortOpen();
        }
    }

    static void writeAll(SocketChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads one line, waiting at most {@link #JAVA_START} (the first read waits for the guest JVM). */
    static String readLine(SocketChannel ch) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        ch.configureBlocking(false);
        try (Selector sel = Selector.open()) {
            ch.register(sel, SelectionKey.OP_READ);
            long deadline = System.nanoTime() + JAVA_START.toNanos();
            while (true) {
                one.clear();
                int n = ch.read(one);
                if (n < 0) {
                    throw new IOException("the port's host end was closed; got so far: " + line);
                }
                if (n == 0) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        throw new IOException("no full line within " + JAVA_START + "; got so far: " + line);
                    }
                    sel.select(left);
                    sel.selectedKeys().clear();
                    continue;
                }
                if (one.get(0) == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(one.get(0));
            }
        } finally {
            ch.configureBlocking(true);
        }
    }

    /** Writes {@code data} and reads the same amount back, concurrently, without blocking either way. */
    static byte[] echoThrough(SocketChannel ch, byte[] data) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(data);
        ByteBuffer in = ByteBuffer.allocate(data.length);
        ch.configureBlocking(false);
        try (Selector sel = Selector.open()) {
            SelectionKey key = ch.register(sel, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (in.hasRemaining()) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("echo incomplete after 120 s: sent " + out.position() + ", got " + in.position());
                }
                sel.select(100);
                sel.selectedKeys().clear();
                if (out.hasRemaining()) {
                    ch.write(out);
                } else {
                    key.interestOps(SelectionKey.OP_READ);
                }
                if (ch.read(in) < 0) {
                    throw new IOException("closed after " + in.position() + " bytes");
                }
            }
        } finally {
            ch.configureBlocking(true);
        }
        return in.array();
    }
}
