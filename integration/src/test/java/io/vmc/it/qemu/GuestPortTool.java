package io.vmc.it.qemu;

import io.vmc.port.PortBusyException;
import io.vmc.port.StreamPort;
import io.vmc.port.VirtioPort;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The program the port tests run inside the guest (and, for the baseline, on the host). Prints
 * its progress on stdout, which the host reads through {@link GuestProcess#output()}.
 * <ul>
 *   <li>{@code echo [NAME]}: opens the port, writes a banner line, then echoes every byte. A line
 *       {@code L} makes it wait for {@value GuestVm#GUEST_SHARED_DIR}/go-late and then write
 *       {@code late} (to show what QEMU does with writes while the host is away).</li>
 *   <li>{@code count [NAME]}: writes {@code 0\n1\n2\n...} as fast as it can, holding its bytes
 *       while the host is away.</li>
 *   <li>{@code open-once [NAME]}: opens the port and exits: 0, or 3 when it is busy.</li>
 *   <li>{@code echo-unix PATH}: the same echo loop on a unix socket (the host baseline).</li>
 * </ul>
 */
public final class GuestPortTool {

    private GuestPortTool() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "echo";
        String name = args.length > 1 ? args[1] : VirtioPort.DEFAULT_NAME;
        switch (mode) {
            case "echo" -> {
                try (VirtioPort port = VirtioPort.open(name)) {
                    System.out.println("OPEN " + port.describe());
                    writeFully(port, ("GUEST-READY " + port.describe() + "\n").getBytes(StandardCharsets.UTF_8));
                    echo(port);
                }
            }
            case "count" -> {
                try (VirtioPort port = VirtioPort.open(name)) {
                    System.out.println("OPEN " + port.describe());
                    count(port);
                }
            }
            case "open-once" -> {
                try (VirtioPort port = VirtioPort.open(name)) {
                    System.out.println("OPENED " + port.describe());
                } catch (PortBusyException e) {
                    System.out.println("BUSY: " + e.getMessage());
                    System.exit(3);
                }
            }
            case "echo-unix" -> {
                ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                server.bind(UnixDomainSocketAddress.of(Path.of(args[1])));
                System.out.println("LISTENING " + args[1]);
                try (SocketChannel c = server.accept()) {
                    byte[] buf = new byte[65536];
                    ByteBuffer b = ByteBuffer.wrap(buf);
                    while (true) {
                        b.clear();
                        int n = c.read(b);
                        if (n < 0) {
                            return;
                        }
                        b.flip();
                        while (b.hasRemaining()) {
                            c.write(b);
                        }
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    private static void echo(StreamPort port) throws IOException, InterruptedException {
        ByteBuffer buf = ByteBuffer.allocateDirect(65536);
        boolean peer = true;
        while (true) {
            int n = port.read(buf, 1000);
            if (n < 0) {
                if (peer) {
                    System.out.println("NO-PEER");
                    peer = false;
                }
                Thread.sleep(10); // back-off while nobody is on the host side; EOF is not final
                continue;
            }
            if (n > 0 && !peer) {
                System.out.println("PEER");
                peer = true;
            }
            buf.flip();
            if (buf.remaining() == 2 && buf.get(0) == 'L' && buf.get(1) == '\n') {
                buf.clear();
                Path go = Path.of(GuestVm.GUEST_SHARED_DIR, "go-late");
                System.out.println("WAITING-FOR-GO");
                while (!Files.exists(go)) {
                    Thread.sleep(20);
                }
                ByteBuffer late = ByteBuffer.wrap("late\n".getBytes(StandardCharsets.US_ASCII));
                int w = port.write(late);
                System.out.println("WROTE-LATE " + w + " peer=" + port.isPeerConnected());
                while (late.hasRemaining()) { // the transport's way: keep the bytes, retry when writable
                    if (port.write(late) == 0) {
                        port.awaitWritable(1000);
                    }
                }
                System.out.println("LATE-WRITTEN");
                continue;
            }
            while (buf.hasRemaining()) {
                if (port.write(buf) == 0) {
                    port.awaitWritable(1000);
                }
            }
            buf.clear();
        }
    }

    /** Writes "0\n", "1\n", ... as fast as the port takes them, reporting when the host goes and comes. */
    private static void count(StreamPort port) throws IOException {
        boolean peer = true;
        for (long n = 0; ; n++) {
            ByteBuffer b = ByteBuffer.wrap((n + "\n").getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                if (port.write(b) == 0) {
                    if (peer && !port.isPeerConnected()) {
                        System.out.println("NO-PEER at " + n);
                        peer = false;
                    }
                    port.awaitWritable(1000);
                }
            }
            if (!peer) {
                System.out.println("PEER-AGAIN at " + n);
                peer = true;
            }
        }
    }

    private static void writeFully(StreamPort port, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            if (port.write(b) == 0) {
                port.awaitWritable(1000);
            }
        }
    }
}
