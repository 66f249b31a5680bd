package io.vmc.stun;

import io.vmc.stun.internal.StunMessage;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/** Blocking STUN test client over a real socket. */
final class StunTestClient {
    private StunTestClient() {
    }

    static byte[] newTransactionId() {
        byte[] tid = new byte[12];
        ThreadLocalRandom.current().nextBytes(tid);
        return tid;
    }

    /** Sends {@code request} and returns the response, or null if none arrives within {@code timeoutMillis}. */
    static StunMessage udp(DatagramSocket socket, InetSocketAddress server, byte[] request, int timeoutMillis)
            throws IOException {
        socket.setSoTimeout(timeoutMillis);
        socket.send(new DatagramPacket(request, request.length, server));
        return receive(socket);
    }

    static StunMessage receive(DatagramSocket socket) throws IOException {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return StunMessage.decode(Arrays.copyOf(buf, p.getLength()));
    }

    static StunMessage udpBinding(DatagramSocket socket, InetSocketAddress server) throws IOException {
        byte[] tid = newTransactionId();
        StunMessage r = udp(socket, server, StunMessage.bindingRequest(tid).encoder().fingerprint(true).toBytes(), 5000);
        while (r != null && !Arrays.equals(r.transactionId(), tid)) {
            r = receive(socket); // a late answer to an earlier request
        }
        if (r == null) {
            throw new IOException("no response from " + server);
        }
        return r;
    }

    static StunMessage tcpRead(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] header = new byte[20];
        in.readFully(header);
        int len = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
        byte[] all = Arrays.copyOf(header, 20 + len);
        in.readFully(all, 20, len);
        return StunMessage.decode(all);
    }
}
