package io.vmc.engine.internal.transport;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** Loopback UDP ports for peers in other processes (gst-launch, openssl). */
final class UdpPorts {
    private UdpPorts() {
    }

    /** A port that was free a moment ago (the other process binds it itself). */
    static int free() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    /**
     * Waits until a process has bound the loopback UDP port, read from /proc/net/udp (probing by
     * binding would take the port from it), so that a first datagram is not lost to a closed port.
     */
    static void awaitBound(int port, Process p, Callable<String> log) throws Exception {
        String local = String.format("0100007F:%04X", port);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < end && p.isAlive()) {
            for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
                String[] f = line.strip().split("\\s+");
                if (f.length > 1 && f[1].equals(local)) return;
            }
            Thread.sleep(20); // polling a file: nothing to wait on
        }
        throw new AssertionError("port " + port + " was not bound" + (p.isAlive() ? "" : " (the process exited " + p.exitValue() + ")") + "; log:\n" + log.call());
    }
}
