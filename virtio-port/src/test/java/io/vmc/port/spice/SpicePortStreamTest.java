package io.vmc.port.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stream's state machine without spice-gtk: binding, the peer's open/close, the receive ring.
 * (Writes to an open port go to the GLib loop; the integration tests cover them.)
 */
@Timeout(20)
class SpicePortStreamTest {
    private final SpiceSession session = new SpiceSession(null, SpiceOptions.builder("spice://h:5900").build());
    private final SpicePortStream port = new SpicePortStream(session, "org.spice-space.vmc.0", null);
    private final Pointer channel = new Memory(8);

    @AfterEach
    void close() {
        port.close();
    }

    private static Memory bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        Memory m = new Memory(b.length);
        m.write(0, b, 0, b.length);
        return m;
    }

    @Test
    void withoutAChannelOrWithTheGuestPortClosedThereIsNoPeer() throws IOException {
        assertThat(port.isPeerConnected()).isFalse();
        assertThat(port.read(ByteBuffer.allocate(4), 50)).isEqualTo(-1);
        assertThat(port.write(ByteBuffer.wrap(new byte[] {1}))).isZero();
        assertThat(port.awaitWritable(20)).isFalse();

        port.bind(channel, false);
        assertThat(port.isPeerConnected()).isFalse();
        assertThat(port.write(ByteBuffer.wrap(new byte[] {1}))).isZero();
        assertThat(port.describe()).isEqualTo("spice:org.spice-space.vmc.0 (spice://h:5900)");
    }

    @Test
    void readsWhatArrivedAndTimesOutWhenNothingDid() throws IOException {
        port.bind(channel, true);
        assertThat(port.isPeerConnected()).isTrue();
        assertThat(port.read(ByteBuffer.allocate(4), 20)).isZero();
        port.onData(bytes("hello"), 5);
        ByteBuffer dst = ByteBuffer.allocate(3);
        assertThat(port.read(dst, 0)).isEqualTo(3);
        dst = ByteBuffer.allocate(10);
        assertThat(port.read(dst, 0)).isEqualTo(2);
        assertThat(new String(dst.array(), 0, 2, StandardCharsets.US_ASCII)).isEqualTo("lo");
    }

    @Test
    void bytesReceivedBeforeThePeerLeftAreStillRead() throws IOException {
        port.bind(channel, true);
        port.onData(bytes("bye"), 3);
        port.setOpened(false);
        ByteBuffer dst = ByteBuffer.allocate(10);
        assertThat(port.read(dst, 0)).isEqualTo(3);
        assertThat(port.read(dst, 0)).isEqualTo(-1);
    }

    @Test
    void aReaderWakesUpForDataAndForThePeerLeaving() throws Exception {
        port.bind(channel, true);
        CompletableFuture<Integer> r = CompletableFuture.supplyAsync(() -> {
            try {
                return port.read(ByteBuffer.allocate(10), 10_000);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        port.onData(bytes("x"), 1);
        assertThat(r.get(5, TimeUnit.SECONDS)).isEqualTo(1);

        CompletableFuture<Integer> gone = CompletableFuture.supplyAsync(() -> {
            try {
                return port.read(ByteBuffer.allocate(10), 10_000);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        port.unbind(channel);
        assertThat(gone.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(port.isBoundTo(channel)).isFalse();
    }

    @Test
    void theRingWrapsAround() throws IOException {
        port.bind(channel, true);
        int chunk = SpicePortStream.RECEIVE_CAPACITY / 3 + 7;
        Memory data = new Memory(chunk);
        ByteBuffer dst = ByteBuffer.allocate(chunk);
        for (int round = 0; round < 7; round++) {
            for (int i = 0; i < chunk; i++) {
                data.setByte(i, (byte) (i * 31 + round));
            }
            port.onData(data, chunk);
            dst.clear();
            while (dst.hasRemaining()) {
                assertThat(port.read(dst, 100)).isPositive();
            }
            for (int i = 0; i < chunk; i++) {
                assertThat(dst.get(i)).isEqualTo((byte) (i * 31 + round));
            }
        }
    }

    @Test
    void closedStreamsThrow() {
        port.close();
        assertThatThrownBy(() -> port.read(ByteBuffer.allocate(1), 0)).isInstanceOf(IOException.class)
                .hasMessageContaining("is closed");
        assertThatThrownBy(() -> port.write(ByteBuffer.allocate(1))).isInstanceOf(IOException.class);
    }
}
