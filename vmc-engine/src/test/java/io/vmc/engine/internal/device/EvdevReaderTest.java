package io.vmc.engine.internal.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader on a FIFO fed like an event node (this machine has no uinput; the guest test
 * {@code HeadsetButtonsGuestIT} uses a real one): events in, events out, a clean stop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EvdevReaderTest {
    @TempDir Path dir;
    private Path fifo;
    private final List<InputEvent> got = new CopyOnWriteArrayList<>();
    private final List<String> ended = new CopyOnWriteArrayList<>();

    @BeforeEach
    void makeFifo() throws Exception {
        fifo = dir.resolve("event0");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }

    /** Opened read-write so that neither side's open blocks on the other. */
    private FileChannel feed() throws Exception {
        return FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    private static void write(FileChannel ch, byte[] b) throws Exception {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) ch.write(buf);
    }

    @Test
    void deliversTheKeysOfWholeReportsAndStopsOnClose() throws Exception {
        try (FileChannel in = feed()) {
            EvdevReader r = new EvdevReader(fifo, false, got::add, ended::add);
            r.start();
            byte[] press = InputEventDecoderTest.hookPressAndRelease();
            write(in, java.util.Arrays.copyOf(press, 30)); // part of a report: nothing yet
            write(in, java.util.Arrays.copyOfRange(press, 30, press.length));
            await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 4);
            assertThat(got).filteredOn(InputEvent::isKey).extracting(InputEvent::value).containsExactly(1, 0);
            r.close();
            await().atMost(Duration.ofSeconds(20)).until(() -> !r.isReading());
            assertThat(ended).as("no end reported for a close").isEmpty();
        }
    }

    @Test
    void stopsForGoodOnMalformedInputAndSaysWhy() throws Exception {
        try (FileChannel in = feed()) {
            EvdevReader r = new EvdevReader(fifo, false, got::add, ended::add);
            r.start();
            write(in, InputEventDecoderTest.stream(new InputEvent(0, 0, 0x7777, 1, 1)));
            await().atMost(Duration.ofSeconds(20)).until(() -> !ended.isEmpty());
            assertThat(ended.get(0)).contains("exceeds EV_MAX");
            assertThat(r.isReading()).isFalse();
            assertThat(got).isEmpty();
        }
    }

    @Test
    void writesTheMuteLedAsAnEvLedEventAndASyn() throws Exception {
        try (FileChannel in = feed()) {
            EvdevReader r = new EvdevReader(fifo, true, got::add, ended::add);
            r.setMuteLed(true);
            ByteBuffer b = ByteBuffer.allocate(2 * InputEvent.BYTES);
            while (b.hasRemaining()) in.read(b);
            List<List<InputEvent>> reports = new InputEventDecoder().decode(b.array(), 0, b.position());
            assertThat(reports).containsExactly(List.of(InputEvent.of(InputEvent.EV_LED, InputEvent.LED_MUTE, 1)));
            r.close();
        }
    }
}
