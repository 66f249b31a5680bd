package io.vmc.it.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.it.qemu.GuestPortTool;
import io.vmc.it.qemu.GuestProcess;
import io.vmc.it.qemu.GuestVm;
import io.vmc.it.qemu.GuestVmExtension;
import io.vmc.port.StreamPort;
import io.vmc.port.spice.SpiceClient;
import io.vmc.port.spice.SpiceOptions;
import io.vmc.port.spice.SpiceSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The VMC port channel through a real QEMU SPICE server to a real guest: the guest runs
 * {@link GuestPortTool}'s echo on {@code /dev/virtio-ports/org.spice-space.vmc.0}, whose host end
 * is a {@code spiceport} chardev; this JVM owns the SPICE session.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpicePortIT {
    static final int SPICE_PORT = freePort();

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension(GuestVm.builder()
            .portChardev("spiceport,name=" + GuestVm.PORT_NAME)
            .qemuArgs("-spice", "port=" + SPICE_PORT + ",addr=127.0.0.1,disable-ticketing=on"));

    static SpiceSession session;
    static StreamPort port;
    static final RecordingListener EVENTS = new RecordingListener();

    private static int freePort() {
        try {
            return SpiceQemu.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void openSession() {
        Prerequisites.require(false);
        session = SpiceClient.open(SpiceOptions.builder("spice://127.0.0.1:" + SPICE_PORT).showDisplay(false).build(),
                EVENTS);
        port = session.portChannel(SpiceClient.VMC_PORT_NAME);
        await().atMost(Duration.ofSeconds(60)).until(session::isConnected);
    }

    @AfterAll
    static void closeSession() {
        if (session != null) {
            session.close();
        }
    }

    @Test
    @Order(1)
    void bytesFlowBothWays() throws Exception {
        assertThat(port.isPeerConnected()).isFalse();
        GuestProcess echo = GUEST.vm().java(GuestPortTool.class.getName(), "echo");
        try {
            await().atMost(Duration.ofSeconds(120)).until(port::isPeerConnected);
            assertThat(readLine(port)).startsWith("GUEST-READY");
            assertThat(EVENTS.events).contains("portOpened " + SpiceClient.VMC_PORT_NAME);

            byte[] blob = new byte[1 << 20];
            new Random(7).nextBytes(blob);
            assertThat(echoThrough(port, blob)).isEqualTo(blob);
        } finally {
            echo.stop(Duration.ofSeconds(10));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> !port.isPeerConnected());
        assertThat(port.read(ByteBuffer.allocate(16), 10)).isEqualTo(-1);
        assertThat(port.write(ByteBuffer.wrap(new byte[] {1, 2, 3}))).isZero();
        assertThat(EVENTS.events).contains("portClosed " + SpiceClient.VMC_PORT_NAME);
    }

    @Test
    @Order(2)
    void guestProgramRestartAndClientReconnect() throws Exception {
        GuestProcess echo = GUEST.vm().java(GuestPortTool.class.getName(), "echo");
        try {
            await().atMost(Duration.ofSeconds(120)).until(port::isPeerConnected);
            assertThat(readLine(port)).startsWith("GUEST-READY");
            assertThat(echoThrough(port, "one\n".getBytes(StandardCharsets.US_ASCII))).asString().isEqualTo("one\n");

            // The client drops its session and makes a new one: the same StreamPort binds the new channel.
            int connects = (int) EVENTS.events.stream().filter("connected"::equals).count();
            session.reconnect();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> EVENTS.events.stream().filter("connected"::equals).count() > connects);
            await().atMost(Duration.ofSeconds(60)).until(port::isPeerConnected);
            assertThat(echoThrough(port, "two\n".getBytes(StandardCharsets.US_ASCII))).asString().isEqualTo("two\n");
        } finally {
            echo.stop(Duration.ofSeconds(10));
        }
    }

    // ---- helpers ----

    static String readLine(StreamPort p) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            one.clear();
            int n = p.read(one, 200);
            if (n > 0) {
                if (one.get(0) == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(one.get(0));
            } else if (n < 0) {
                throw new IOException("no peer while reading a line; so far: " + line);
            }
        }
        throw new IOException("no line within 60 s; so far: " + line);
    }

    /** Writes {@code data} from one thread while this one reads the echo back. */
    static byte[] echoThrough(StreamPort p, byte[] data) throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            ByteBuffer b = ByteBuffer.wrap(data);
            try {
                while (b.hasRemaining()) {
                    if (p.write(b) == 0) {
                        p.awaitWritable(1000);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        ByteBuffer got = ByteBuffer.allocate(data.length);
        ByteBuffer chunk = ByteBuffer.allocate(65536);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (got.hasRemaining() && System.nanoTime() < deadline) {
            chunk.clear();
            chunk.limit(Math.min(chunk.capacity(), got.remaining()));
            int n = p.read(chunk, 200);
            if (n < 0) {
                throw new IOException("peer went away after " + got.position() + " of " + data.length + " bytes");
            }
            chunk.flip();
            got.put(chunk);
        }
        writer.get();
        if (got.hasRemaining()) {
            throw new IOException("echo incomplete: " + got.position() + " of " + data.length + " bytes");
        }
        return got.array();
    }
}
