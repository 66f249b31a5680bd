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
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.Vmc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's ReportClientAddresses reach agentd's embedded fake-stun, scoped as
 * docs/fake-stun-limits.md says: only the session's named STUN sources learn the client's address,
 * and only while the session lives.
 */
@Timeout(60)
class StunBridgeTest {
    @TempDir
    Path dir;

    private static final InetAddress CLIENT = addr("203.0.113.7");

    private static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s); // literals only
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static Response report(EngineSide engine, String engineSessionId) throws Exception {
        return engine.endpoint.call(Request.newBuilder().setReportClientAddresses(ReportClientAddresses.newBuilder()
                .setSessionId(engineSessionId)
                .addHost(TransportAddress.newBuilder().setIp("not-an-ip.example").setPort(1))   // ignored, never resolved
                .addHost(TransportAddress.newBuilder().setIp("192.0.2.10").setPort(40000))
                .addServerReflexive(TransportAddress.newBuilder().setIp(CLIENT.getHostAddress()).setPort(50000))).build())
                .get(10, TimeUnit.SECONDS);
    }

    /** The engine session that agentd created last. */
    private static String newest(EngineSide engine, List<String> before) {
        List<String> now = new java.util.ArrayList<>(engine.engine.sessionIds());
        now.removeAll(before);
        assertThat(now).hasSize(1);
        return now.get(0);
    }

    @Test
    void translationIsScopedToTheSessionsStunSourcesAndLifetime() throws Exception {
        AgentDaemon.Options o = AgentdHarness.options(dir);
        o.stunPort = 0;
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (EngineSide engine = new EngineSide(dir.resolve("engine.sock"), 440);
                AgentDaemon agentd = AgentDaemon.start(o);
                Vmc vmc = Vmc.connect(dir.resolve("agent.sock"));
                DatagramSocket phone = new DatagramSocket(new InetSocketAddress(lo, 0));
                DatagramSocket browser = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> vmc.mode() == Mode.OPTIMIZED);
            InetSocketAddress stun = agentd.stunAddresses().get(0);
            assertThat(binding(stun, phone).getAddress()).isEqualTo(lo); // no rule yet: observed

            MediaSession call = vmc.newSession(SessionOptions.builder().audio(true)
                    .stunSources(List.of((InetSocketAddress) phone.getLocalSocketAddress())).build());
            String engineId = newest(engine, List.of());
            Response r = report(engine, engineId);
            assertThat(r.hasEmpty()).as(r.toString()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> binding(stun, phone).getAddress().equals(CLIENT));
            assertThat(agentd.stunRules()).containsExactly("127.0.0.1/32:" + phone.getLocalPort() + " -> 203.0.113.7");
            // every other STUN client of the VM still learns its own address
            assertThat(binding(stun, browser).getAddress()).isEqualTo(lo);

            // a report for a session agentd does not know, or one whose app named no sources, adds nothing
            report(engine, "s0000000000000000");
            MediaSession other = vmc.newSession(SessionOptions.audioOnly());
            report(engine, newest(engine, List.of(engineId)));
            await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> true);
            assertThat(agentd.stunRules()).hasSize(1);
            assertThat(binding(stun, browser).getAddress()).isEqualTo(lo);
            other.close();

            // the session ends: its rule goes
            call.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> binding(stun, phone).getAddress().equals(lo));
            assertThat(agentd.stunRules()).isEmpty();

            // and with the engine gone, nothing is left either
            MediaSession again = vmc.newSession(SessionOptions.builder().audio(true)
                    .stunSources(List.of(new InetSocketAddress(addr("0.0.0.0"), phone.getLocalPort()))).build());
            report(engine, newest(engine, List.of(engineId)));
            await().atMost(Duration.ofSeconds(5)).until(() -> binding(stun, phone).getAddress().equals(CLIENT));
            assertThat(agentd.stunRules()).containsExactly("*:" + phone.getLocalPort() + " -> 203.0.113.7");
            Response denied = engine.endpoint.call(Request.newBuilder().setGetStatus(io.vmc.transport.proto.GetStatus.getDefaultInstance()).build())
                    .get(10, TimeUnit.SECONDS);
            assertThat(denied.getError().getCode()).isEqualTo(io.vmc.transport.proto.Error.Code.UNIMPLEMENTED);
            engine.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> agentd.stunRules().isEmpty());
            assertThat(again.id()).isNotEmpty();
        }
    }

    @Test
    void hostileStunSourcesAreRefused() {
        assertThat(StunBridge.checkSource(TransportAddress.newBuilder().setIp("10.0.0.5").setPort(5060).build())).isNull();
        assertThat(StunBridge.checkSource(TransportAddress.newBuilder().setPort(5060).build())).isNull(); // any local address
        assertThat(StunBridge.checkSource(TransportAddress.newBuilder().setIp("10.0.0.5").build())).contains("port must be 1..65535, got 0");
        assertThat(StunBridge.checkSource(TransportAddress.newBuilder().setIp("10.0.0.5").setPort(70000).build())).contains("got 70000");
        assertThat(StunBridge.checkSource(TransportAddress.newBuilder().setIp("stun.example.com").setPort(1).build())).contains("is not an IP address");
        assertThat(StunBridge.checkSource(TransportAddress.newBuilder().setIp("1".repeat(5000)).setPort(1).build())).contains("...");
        // an unspecified address matches the port on any local address; more than 8 sources are cut
        List<TransportAddress> many = new java.util.ArrayList<>();
        for (int i = 1; i <= 20; i++) many.add(TransportAddress.newBuilder().setIp(i == 1 ? "::" : "10.0.0." + i).setPort(5000 + i).build());
        List<io.vmc.stun.Rule> rules = StunBridge.rules(many, CLIENT);
        assertThat(rules).hasSize(StunBridge.MAX_SOURCES);
        assertThat(rules.get(0)).hasToString("*:5001 -> 203.0.113.7");
        assertThat(rules.get(1)).hasToString("10.0.0.2/32:5002 -> 203.0.113.7");
    }

    /** One RFC 8489 Binding request; returns XOR-MAPPED-ADDRESS. */
    private static InetSocketAddress binding(InetSocketAddress server, DatagramSocket s) throws Exception {
        byte[] tid = new byte[12];
        new SecureRandom().nextBytes(tid);
        ByteBuffer req = ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0).putInt(0x2112A442).put(tid);
        {
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
