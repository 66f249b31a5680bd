package io.vmc.engine.interop;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Just enough SIP over UDP (RFC 3261) to put the engine's SDP in front of a real SIP phone: one
 * INVITE/200/ACK/BYE dialog as caller or callee. Test code; the engine itself has no SIP.
 */
final class SipUa implements AutoCloseable {
    final DatagramSocket socket;
    final int port;
    private final String tag = UUID.randomUUID().toString().substring(0, 8);
    private String callId;
    private String remoteTag;
    private String fromHeader;
    private String toHeader;
    private InetSocketAddress peer;
    private String requestUri;
    private int cseq = 1;
    private boolean weAreCaller;

    record Message(String firstLine, List<String> headers, String body, InetSocketAddress from) {
        String header(String name) {
            String n = name.toLowerCase(Locale.ROOT) + ":";
            for (String h : headers) {
                if (h.toLowerCase(Locale.ROOT).startsWith(n)) return h.substring(n.length()).trim();
            }
            return null;
        }

        List<String> all(String name) {
            String n = name.toLowerCase(Locale.ROOT) + ":";
            List<String> out = new ArrayList<>();
            for (String h : headers) {
                if (h.toLowerCase(Locale.ROOT).startsWith(n)) out.add(h.substring(n.length()).trim());
            }
            return out;
        }

        boolean isResponse() { return firstLine.startsWith("SIP/2.0 "); }

        int status() { return Integer.parseInt(firstLine.split(" ")[1]); }

        String method() { return firstLine.split(" ")[0]; }
    }

    SipUa() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        port = socket.getLocalPort();
    }

    /** Sends an INVITE with {@code sdp}, waits for the 200 OK, ACKs it and returns the answer SDP. */
    String invite(int targetPort, String user, String sdp, long timeoutMs) throws IOException {
        weAreCaller = true;
        peer = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        callId = UUID.randomUUID() + "@127.0.0.1";
        requestUri = "sip:" + user + "@127.0.0.1:" + targetPort;
        fromHeader = "<sip:engine@127.0.0.1:" + port + ">;tag=" + tag;
        toHeader = "<" + requestUri + ">";
        String branch = branch();
        send(request("INVITE", branch, "application/sdp", sdp));
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            Message m = receive(end - System.currentTimeMillis());
            if (m == null) break;
            if (!m.isResponse()) {
                answerOther(m);
                continue;
            }
            int st = m.status();
            if (st < 200) continue;
            if (st >= 300) throw new IOException("INVITE refused: " + m.firstLine());
            toHeader = m.header("To");
            String contact = m.header("Contact");
            if (contact != null && contact.contains("<")) requestUri = contact.substring(contact.indexOf('<') + 1, contact.indexOf('>'));
            send(request("ACK", branch(), null, null).replace("CSeq: " + cseq + " ACK", "CSeq: 1 ACK"));
            return m.body();
        }
        throw new IOException("no final response to INVITE");
    }

    /** Waits for an INVITE and returns its offer SDP. */
    String awaitInvite(long timeoutMs) throws IOException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            Message m = receive(end - System.currentTimeMillis());
            if (m == null) break;
            if (!m.isResponse() && m.method().equals("INVITE")) {
                pendingInvite = m;
                peer = m.from();
                return m.body();
            }
            if (!m.isResponse()) answerOther(m);
        }
        throw new IOException("no INVITE arrived");
    }

    private Message pendingInvite;

    /** Answers the pending INVITE with 200 OK and {@code sdp}; waits for the ACK. */
    void accept(String sdp, long timeoutMs) throws IOException {
        Message inv = pendingInvite;
        callId = inv.header("Call-ID");
        fromHeader = inv.header("To") + ";tag=" + tag;
        toHeader = inv.header("From");
        String ok = response(inv, 200, "OK", fromHeader, "application/sdp", sdp);
        send(ok);
        long end = System.currentTimeMillis() + timeoutMs;
        long nextResend = System.currentTimeMillis() + 500;
        while (System.currentTimeMillis() < end) {
            Message m = receive(Math.max(1, Math.min(end, nextResend) - System.currentTimeMillis()));
            if (m == null) {
                if (System.currentTimeMillis() >= nextResend) {
                    send(ok);
                    nextResend = System.currentTimeMillis() + 500;
                }
                continue;
            }
            if (!m.isResponse() && m.method().equals("ACK")) return;
            if (!m.isResponse()) answerOther(m);
        }
        throw new IOException("no ACK for 200 OK");
    }

    /** Ends the dialog (as caller or callee) and waits briefly for the 200. */
    void bye() throws IOException {
        if (callId == null) return;
        cseq++;
        String msg;
        if (weAreCaller) {
            msg = request("BYE", branch(), null, null);
        } else {
            // callee: From/To swap roles, the request goes to the caller's Contact (its source address)
            String contact = pendingInvite.header("Contact");
            requestUri = contact != null && contact.contains("<") ? contact.substring(contact.indexOf('<') + 1, contact.indexOf('>')) : "sip:" + peer.getHostString() + ":" + peer.getPort();
            msg = request("BYE", branch(), null, null);
        }
        send(msg);
        long end = System.currentTimeMillis() + 2000;
        while (System.currentTimeMillis() < end) {
            Message m = receive(end - System.currentTimeMillis());
            if (m == null) return;
            if (m.isResponse() && m.header("CSeq") != null && m.header("CSeq").endsWith("BYE")) return;
            if (!m.isResponse()) answerOther(m);
        }
    }

    /** Answers whatever else arrives (BYE, OPTIONS, re-INVITE) with 200 OK so the peer is never stuck. */
    private void answerOther(Message m) throws IOException {
        if (m.method().equals("ACK")) return;
        send(response(m, 200, "OK", m.header("To") + (m.header("To").contains("tag=") ? "" : ";tag=" + tag), null, null));
        if (m.method().equals("BYE")) callId = null;
    }

    private String request(String method, String branch, String type, String body) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(requestUri).append(" SIP/2.0\r\n");
        sb.append("Via: SIP/2.0/UDP 127.0.0.1:").append(port).append(";branch=").append(branch).append(";rport\r\n");
        sb.append("Max-Forwards: 70\r\n");
        sb.append("From: ").append(fromHeader).append("\r\n");
        sb.append("To: ").append(toHeader).append("\r\n");
        sb.append("Call-ID: ").append(callId).append("\r\n");
        sb.append("CSeq: ").append(cseq).append(' ').append(method).append("\r\n");
        sb.append("Contact: <sip:engine@127.0.0.1:").append(port).append(">\r\n");
        sb.append("User-Agent: vmc-engine-test\r\n");
        appendBody(sb, type, body);
        return sb.toString();
    }

    private String response(Message req, int code, String reason, String to, String type, String body) {
        StringBuilder sb = new StringBuilder();
        sb.append("SIP/2.0 ").append(code).append(' ').append(reason).append("\r\n");
        for (String v : req.all("Via")) sb.append("Via: ").append(v).append("\r\n");
        sb.append("From: ").append(req.header("From")).append("\r\n");
        sb.append("To: ").append(to).append("\r\n");
        sb.append("Call-ID: ").append(req.header("Call-ID")).append("\r\n");
        sb.append("CSeq: ").append(req.header("CSeq")).append("\r\n");
        sb.append("Contact: <sip:engine@127.0.0.1:").append(port).append(">\r\n");
        appendBody(sb, type, body);
        return sb.toString();
    }

    private static void appendBody(StringBuilder sb, String type, String body) {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (type != null) sb.append("Content-Type: ").append(type).append("\r\n");
        sb.append("Content-Length: ").append(b.length).append("\r\n\r\n");
        if (body != null) sb.append(body);
    }

    private static String branch() {
        return "z9hG4bK" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private void send(String msg) throws IOException {
        byte[] b = msg.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, peer));
    }

    private Message receive(long timeoutMs) throws IOException {
        if (timeoutMs <= 0) return null;
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMs)));
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        String s = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
        int split = s.indexOf("\r\n\r\n");
        String head = split < 0 ? s : s.substring(0, split);
        String body = split < 0 ? "" : s.substring(split + 4);
        String[] lines = head.split("\r\n");
        List<String> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) headers.add(expandCompact(lines[i]));
        return new Message(lines[0], headers, body, (InetSocketAddress) p.getSocketAddress());
    }

    private static String expandCompact(String h) {
        if (h.length() > 2 && h.charAt(1) == ':') {
            String full = switch (Character.toLowerCase(h.charAt(0))) {
                case 'v' -> "Via"; case 'f' -> "From"; case 't' -> "To"; case 'i' -> "Call-ID";
                case 'm' -> "Contact"; case 'l' -> "Content-Length"; case 'c' -> "Content-Type";
                default -> null;
            };
            if (full != null) return full + ":" + h.substring(2);
        }
        return h;
    }

    @Override
    public void close() {
        socket.close();
    }
}
