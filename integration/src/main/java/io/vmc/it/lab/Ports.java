package io.vmc.it.lab;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free local ports for the processes the demo and the tests start. */
public final class Ports {
    private Ports() {}

    /** A UDP port on 127.0.0.1 that was free a moment ago (SIP listens on UDP). */
    public static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago (metrics endpoints, Prometheus). */
    public static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
