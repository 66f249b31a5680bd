package io.vmc.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class VirtioPortsTest {

    @TempDir
    Path root;

    @Test
    void nativeAccessIsAvailableOnThisLinuxHost() {
        assertThat(VirtioPorts.isAvailable()).as(String.valueOf(VirtioPorts.unavailabilityCause())).isTrue();
        assertThat(VirtioPorts.unavailabilityCause()).isNull();
    }

    /** Loads this module without JNA on the class path: the probe explains, nothing throws a LinkageError. */
    @Test
    void withoutJnaTheProbeExplainsAndOpenFailsCleanly() throws Exception {
        java.net.URL classes = VirtioPorts.class.getProtectionDomain().getCodeSource().getLocation();
        try (java.net.URLClassLoader noJna = new java.net.URLClassLoader(new java.net.URL[] {classes},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> probe = Class.forName(VirtioPorts.class.getName(), true, noJna);
            assertThat(probe.getMethod("isAvailable").invoke(null)).isEqualTo(false);
            Throwable cause = (Throwable) probe.getMethod("unavailabilityCause").invoke(null);
            assertThat(cause).hasMessageContaining("JNA").hasMessageContaining("put jna-5.x on the class path");

            Class<?> port = Class.forName(VirtioPort.class.getName(), true, noJna);
            assertThatThrownBy(() -> {
                try {
                    port.getMethod("open", String.class).invoke(null, VirtioPort.DEFAULT_NAME);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            }).isInstanceOf(IOException.class).hasMessageContaining("JNA");
        }
    }

    @Test
    void aHostWithoutThePortSaysSoWithoutThrowing() {
        assertThat(VirtioPorts.isPortPresent("io.vmc.test.no-such-port")).isFalse();
        assertThatThrownBy(() -> VirtioPort.open("io.vmc.test.no-such-port"))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("io.vmc.test.no-such-port");
    }

    /** The native plumbing (open, poll, read, write, close) on a FIFO, which also has one fd for both ways. */
    @Test
    void nativeReadWriteRoundTripOnAFifo() throws Exception {
        Path dev = Files.createDirectories(root.resolve("dev/virtio-ports"));
        Path fifo = dev.resolve("fifo.port");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();

        try (VirtioPort port = VirtioPort.open("fifo.port", new VirtioPortLocator(root.resolve("dev"), root.resolve("sys")))) {
            assertThat(port.describe()).isEqualTo("virtio:fifo.port (" + fifo + ")");
            ByteBuffer empty = ByteBuffer.allocate(16);
            assertThat(port.read(empty, 50)).isZero();

            assertThat(port.awaitWritable(1000)).isTrue();
            assertThat(port.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)))).isEqualTo(5);
            ByteBuffer direct = ByteBuffer.allocateDirect(3);
            assertThat(port.read(direct, 1000)).isEqualTo(3);
            ByteBuffer heap = ByteBuffer.allocate(16);
            heap.put((byte) '>');
            assertThat(port.read(heap, 1000)).isEqualTo(2);
            assertThat(new String(bytes(direct), StandardCharsets.US_ASCII)).isEqualTo("hel");
            assertThat(new String(heap.array(), 0, heap.position(), StandardCharsets.US_ASCII)).isEqualTo(">lo");

            ByteBuffer src = ByteBuffer.allocateDirect(8).put("0123abcd".getBytes(StandardCharsets.US_ASCII)).flip();
            src.position(4);
            assertThat(port.write(src)).isEqualTo(4);
            assertThat(src.hasRemaining()).isFalse();
            ByteBuffer got = ByteBuffer.allocate(8);
            assertThat(port.read(got, 1000)).isEqualTo(4);
            assertThat(new String(got.array(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("abcd");
            assertThat(port.isPeerConnected()).isTrue();
            port.close();
            assertThatThrownBy(() -> port.read(ByteBuffer.allocate(1), 10)).isInstanceOf(IOException.class);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate().flip();
        byte[] a = new byte[d.remaining()];
        d.get(a);
        return a;
    }
}
