package io.vmc.port.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Against a scripted QMP peer; the real QEMU is exercised in the integration module. */
@Timeout(20)
class QmpWatcherTest {

    @TempDir
    Path dir;

    private final ExecutorService peer = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopPeer() {
        peer.shutdownNow();
    }

    interface Script {
        void run(BufferedReader in, OutputStream out) throws Exception;
    }

    private Path serve(Script script) throws IOException {
        Path sock = dir.resolve("qmp.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        peer.submit(() -> {
            try (server; SocketChannel c = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
                OutputStream out = Channels.newOutputStream(c);
                out.write("{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n".getBytes(StandardCharsets.UTF_8));
                assertThat(in.readLine()).contains("qmp_capabilities");
                out.write("{\"return\": {}}\r\n".getBytes(StandardCharsets.UTF_8));
                script.run(in, out);
            }
            return null;
        });
        return sock;
    }

    private static void send(OutputStream out, String s) throws IOException {
        out.write((s + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Test
    void reportsEventsForTheWatchedPortOnly() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Path sock = serve((in, out) -> {
            send(out, "{\"event\": \"VSERPORT_CHANGE\", \"data\": {\"open\": true, \"id\": \"other\"}}");
            send(out, "{\"event\": \"VSERPORT_CHANGE\", \"data\": {\"open\": true, \"id\": \"vmcport\"}}");
            send(out, "{\"event\": \"RESUME\"}");
            send(out, "{\"event\": \"VSERPORT_CHANGE\", \"data\": {\"open\": false, \"id\": \"vmcport\"}}");
            in.readLine(); // wait until the client leaves
        });
        try (QmpWatcher w = QmpWatcher.connect(sock, "vmcport", new QmpWatcher.Listener() {
            @Override
            public void guestPortOpened(String id) {
                seen.add("open " + id);
            }

            @Override
            public void guestPortClosed(String id) {
                seen.add("closed " + id);
            }
        })) {
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
            assertThat(seen).containsExactly("open vmcport", "closed vmcport");
        }
    }

    @Test
    void queriesTheCurrentStateAndReportsErrors() throws Exception {
        Path sock = serve((in, out) -> {
            String q = in.readLine();
            assertThat(q).contains("\"qom-get\"").contains("/machine/peripheral/vmcport").contains("chardev");
            send(out, "{\"return\": \"vmc\", \"id\": " + id(q) + "}");
            q = in.readLine();
            assertThat(q).contains("query-chardev");
            send(out, "{\"return\": [{\"frontend-open\": false, \"filename\": \"x\", \"label\": \"serial0\"},"
                    + " {\"frontend-open\": true, \"filename\": \"unix:/x\", \"label\": \"vmc\"}], \"id\": " + id(q) + "}");
            q = in.readLine();
            send(out, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"nope\"}, \"id\": " + id(q) + "}");
            in.readLine();
        });
        try (QmpWatcher w = QmpWatcher.connect(sock, "vmcport", new QmpWatcher.Listener() { })) {
            assertThat(w.isGuestPortOpen()).isTrue();
            assertThatThrownBy(() -> w.execute("bogus", null)).isInstanceOf(QmpException.class)
                    .hasMessageContaining("CommandNotFound: nope");
        }
    }

    @Test
    void reportsTheEndOfQemuAndFailsPendingCommands() throws Exception {
        List<IOException> closedWith = new CopyOnWriteArrayList<>();
        Path sock = serve((in, out) -> in.readLine()); // reads one command, then hangs up
        try (QmpWatcher w = QmpWatcher.connect(sock, "vmcport", new QmpWatcher.Listener() {
            @Override
            public void qmpClosed(IOException cause) {
                closedWith.add(cause);
            }
        })) {
            assertThatThrownBy(() -> w.execute("query-status", null)).isInstanceOf(IOException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> closedWith.size() == 1);
            assertThat(closedWith.get(0)).hasMessageContaining("closed by QEMU");
        }
    }

    @Test
    void refusesSomethingThatIsNotQmp() throws Exception {
        Path sock = dir.resolve("not-qmp.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        Future<?> f = peer.submit(() -> {
            try (server; SocketChannel c = server.accept()) {
                Channels.newOutputStream(c).write("[\"hello\"]\n".getBytes(StandardCharsets.UTF_8));
                c.read(java.nio.ByteBuffer.allocate(1));
            }
            return null;
        });
        assertThatThrownBy(() -> QmpWatcher.connect(sock, "vmcport", new QmpWatcher.Listener() { }))
                .isInstanceOf(IOException.class).hasMessageContaining("is not a QMP socket");
        f.get();
    }

    private static String id(String command) {
        return command.replaceAll(".*\"id\":(\\d+).*", "$1");
    }
}
