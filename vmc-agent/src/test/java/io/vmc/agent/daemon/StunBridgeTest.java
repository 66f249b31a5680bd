package io.vmc.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.ReportClientAddresses;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.TransportAddress;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The engine's ReportClientAddresses reach agentd's embedded fake-stun: a guest STUN client learns the client's address. */
@Timeout(60)
class StunBridgeTest {
    @TempDir
    Path dir;

    @Test
    void reportedClientAddressIsWhatStunAnswers() throws Exception {
        AgentDaemon.Options o = AgentdHarness.options(dir);
        o.stunPort = 0;
        try (EngineSide engine = new EngineSide(dir.resolve("engine.sock"), 440);
                AgentDaemon agentd = AgentDaemon.start(o)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.endpoint.isConnected());
            InetSocketAddress stun = agentd.stunAddresses().get(0);
            assertThat(binding(stun).getAddress()).isEqualTo(InetAddress.getLoopbackAddress()); // no rule yet: observed

            Response r = engine.endpoint.call(Request.newBuilder().setReportClientAddresses(ReportClientAddresses.newBuilder()
                    .addHost(TransportAddress.newBuilder().setIp("not-an-ip.example").setPort(1))   // ignored, never resolved
                    .addHost(TransportAddress.newBuilder().setIp("192.0.2.10").setPort(40000))
                    .addServerReflexive(TransportAddress.newBuilder().setIp("203.0.113.7").setPort(50000))).build())
                    .get(10, TimeUnit.SECONDS);
            assertThat(r.hasEmpty()).as(r.toString()).isTrue();
            assertThat(binding(stun).getAddress()).isEqualTo(InetAddress.getByName("203.0.113.7"));

            Response denied = engine.endpoint.call(Request.newBuilder().setGetStatus(io.vmc.transport.proto.GetStatus.getDefaultInstance()).build())
                    .get(10, TimeUnit.SECONDS);
            assertThat(denied.getError().getCode()).isEqualTo(io.vmc.transport.proto.Error.Code.UNIMPLEMENTED);
        }
    }

    /** One RFC 8489 Binding request; returns XOR-MAPPED-ADDRESS. */
    private static InetSocketAddress binding(InetSocketAddress server) throws Exception {
        byte[] tid = new byte[12];
        new SecureRandom().nextBytes(tid);
        ByteBuffer req = ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0).putInt(0x2112A442).put(tid);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            s.setSoTimeout(5000);
            s.send(new DatagramPacket(req.array(), 20, server));
            byte[] buf = new byte[1500];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            ByteBuffer b = ByteBuffer.wrap(buf, 0, p.getLength());
            assertThat(b.getShort()).isEqualTo((short) 0x0101);
            int len = b.getShort() & 0xffff;
            b.position(20);
            while (b.position() < 20 + len) {
                int type = b.getShort() & 0xffff;
                int alen = b.getShort() & 0xffff;
                int start = b.position();
                if (type == 0x0020) {
                    b.get();
                    int family = b.get();
                    int port = (b.getShort() & 0xffff) ^ 0x2112;
                    assertThat(family).isEqualTo(1);
                    int a = b.getInt() ^ 0x2112A442;
                    return new InetSocketAddress(InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(a).array()), port);
                }
                b.position(start + ((alen + 3) & ~3));
            }
            throw new AssertionError("no XOR-MAPPED-ADDRESS");
        }
    }
}
