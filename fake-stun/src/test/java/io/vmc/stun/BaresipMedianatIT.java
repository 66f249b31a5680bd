package io.vmc.stun;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A real softphone: baresip with {@code medianat=stun} and fake-stun as its STUN server. With a rule for
 * baresip's source, the {@code c=} line of the SDP in its INVITE carries the translated address. The
 * INVITE is captured by a UDP socket playing the callee.
 */
@Timeout(90)
class BaresipMedianatIT {
    @TempDir
    Path dir;
    final TranslationTable table = new TranslationTable();
    StunServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void sdpCarriesTheTranslatedAddressAndOnlyWithARule() throws Exception {
        Path baresip = ExternalTool.require("baresip", "baresip");
        server = StunServer.builder().udp(new InetSocketAddress("127.0.0.1", 0)).translationTable(table).build().start();

        table.setDynamicRules("agentd:test", List.of(Rule.parse("127.0.0.0/8 -> 198.51.100.7")));
        String sdp = inviteSdp(baresip, dir.resolve("with-rule"));
        List<String> mediaC = mediaLines(sdp, "c=");
        assertThat(mediaC).as(sdp).containsExactly("c=IN IP4 198.51.100.7");
        assertThat(mediaLines(sdp, "a=rtcp:")).as(sdp).singleElement().asString().endsWith("IN IP4 198.51.100.7");
        long answered = server.stats().answered();
        assertThat(answered).isPositive();

        table.removeDynamicRules("agentd:test");
        String plain = inviteSdp(baresip, dir.resolve("without-rule"));
        assertThat(mediaLines(plain, "c=")).as(plain).containsExactly("c=IN IP4 127.0.0.1");
        assertThat(server.stats().answered()).isGreaterThan(answered);
    }

    /** Media-level lines (after the first m=) starting with {@code prefix}. */
    static List<String> mediaLines(String sdp, String prefix) {
        int m = sdp.indexOf("\nm=");
        if (m < 0) {
            fail("no m= line in SDP:\n" + sdp);
        }
        return sdp.substring(m).lines().map(String::strip).filter(l -> l.startsWith(prefix)).toList();
    }

    private String inviteSdp(Path baresip, Path config) throws Exception {
        Files.createDirectories(config);
        int stunPort = server.udpAddresses().get(0).getPort();
        try (DatagramSocket callee = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int sipPort = freeSipPort();
            Files.writeString(config.resolve("config"), String.join("\n",
                    "sip_listen 127.0.0.1:" + sipPort,
                    "net_interface 127.0.0.1",
                    "audio_source ausine,440",
                    "ausrc_srate 48000",
                    "ausrc_channels 2",
                    "audio_player aubridge,nullsink",
                    "module_path /usr/lib/baresip/modules",
                    "module g711.so",
                    "module ausine.so",
                    "module aubridge.so",
                    "module stun.so",
                    "module_app account.so",
                    "module_app menu.so", ""));
            Files.writeString(config.resolve("accounts"), "<sip:alice@127.0.0.1:" + sipPort
                    + ">;regint=0;medianat=stun;stunserver=stun:127.0.0.1:" + stunPort + "\n");
            Process p = new ProcessBuilder(baresip.toString(), "-f", config.toString(), "-t", "20",
                    "-e", "/dial sip:bob@127.0.0.1:" + callee.getLocalPort())
                    .redirectErrorStream(true).redirectOutput(config.resolve("baresip.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            try {
                callee.setSoTimeout(30_000);
                byte[] buf = new byte[65535];
                DatagramPacket packet = new DatagramPacket(buf, buf.length);
                try {
                    callee.receive(packet);
                } catch (SocketTimeoutException e) {
                    fail("no INVITE from baresip; its log:\n" + Files.readString(config.resolve("baresip.log")));
                }
                String invite = new String(buf, 0, packet.getLength(), StandardCharsets.UTF_8);
                assertThat(invite).startsWith("INVITE sip:bob@");
                int body = invite.indexOf("\r\n\r\n");
                assertThat(body).as(invite).isPositive();
                return invite.substring(body + 4).replace("\r\n", "\n");
            } finally {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** A UDP port whose next two ports are free too (baresip also opens TCP on it and TLS on +1). */
    private static int freeSipPort() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                port = s.getLocalPort();
            }
            if (port < 65000 && free(port) && free(port + 1)) {
                return port;
            }
        }
        throw new IllegalStateException("no free SIP port pair found");
    }

    private static boolean free(int port) {
        try (java.net.ServerSocket t = new java.net.ServerSocket(port, 1, InetAddress.getLoopbackAddress());
             DatagramSocket u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            return t.getLocalPort() == port && u.getLocalPort() == port;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
