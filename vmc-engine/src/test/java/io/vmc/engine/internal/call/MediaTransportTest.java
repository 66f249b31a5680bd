package io.vmc.engine.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.internal.RateLimiter;
import io.vmc.engine.internal.transport.IceEndpoint;
import io.vmc.engine.sdp.SessionDescription;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ICE generations of one transport (RFC 8445 section 9) with real endpoints on loopback: which
 * endpoint the SDP and trickled candidates go to, who takes the peer's credentials, when the peer
 * restarts, promotion and retirement, and that every endpoint's socket is released in the end.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MediaTransportTest {
    private static final EngineConfig CONFIG = EngineConfig.builder().iceAddress(InetAddress.getLoopbackAddress()).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<IceEndpoint> made = new ArrayList<>();
    private final Map<IceEndpoint, InetSocketAddress> addresses = new HashMap<>(); // a closed endpoint has no candidates left

    @AfterEach
    void tearDown() {
        timer.shutdownNow();
        made.forEach(IceEndpoint::close);
    }

    private IceEndpoint endpoint() throws IOException {
        IceEndpoint e = new IceEndpoint(CONFIG, true, new IceEndpoint.Listener() {
            @Override
            public void onIceConnected(InetSocketAddress local, InetSocketAddress remote) { }

            @Override
            public void onIceFailed(String reason) { }

            @Override
            public boolean onPacket(byte[] buf, int off, int len) { return false; }
        }, new RateLimiter(1e6, 1e6));
        made.add(e);
        addresses.put(e, e.defaultAddress());
        return e;
    }

    /** Whether the endpoint's UDP port is still bound (by the endpoint: nobody else binds it here). */
    private boolean bound(IceEndpoint e) {
        try (DatagramSocket s = new DatagramSocket(addresses.get(e))) {
            return false;
        } catch (SocketException x) {
            return true;
        }
    }

    private static SessionDescription sdp(String ufrag, String pwd) {
        return Negotiator.parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nc=IN IP4 127.0.0.1\r\n"
                + "m=audio 9 RTP/AVP 0\r\na=ice-ufrag:" + ufrag + "\r\na=ice-pwd:" + pwd + "\r\n");
    }

    private static boolean peerRestarts(MediaTransport t, String ufrag, String pwd) {
        SessionDescription s = sdp(ufrag, pwd);
        return t.peerRestarts(s, s.media().get(0));
    }

    @Test
    void theFirstCredentialsGoToTheFirstEndpointAndARestartTakesOnlyTheNextOnes() throws IOException {
        IceEndpoint first = endpoint();
        MediaTransport t = new MediaTransport(first, timer, 10_000);
        assertThat(t.newest()).isSameAs(first);
        assertThat(t.hasRemoteCredentials()).isFalse();
        assertThat(peerRestarts(t, "peer1", "pwd1pwd1pwd1pwd1pwd1pwd1")).as("no credentials yet: nothing to restart").isFalse();

        assertThat(t.takeRemoteCredentials("peer1", "pwd1pwd1pwd1pwd1pwd1pwd1", true)).isSameAs(first);
        assertThat(first.hasRemoteCredentials()).isTrue();
        assertThat(peerRestarts(t, "peer1", "pwd1pwd1pwd1pwd1pwd1pwd1")).as("a re-offer with the same credentials").isFalse();
        assertThat(peerRestarts(t, "peer2", "pwd1pwd1pwd1pwd1pwd1pwd1")).as("new ufrag").isTrue();
        assertThat(peerRestarts(t, "peer1", "pwd2pwd2pwd2pwd2pwd2pwd2")).as("new pwd").isTrue();
        assertThat(t.takeRemoteCredentials("peer1", "pwd1pwd1pwd1pwd1pwd1pwd1", false))
                .as("a re-offer without restart keeps the selected pair").isNull();

        IceEndpoint fresh = endpoint();
        t.restart(fresh);
        assertThat(t.newest()).as("SDP and trickle go to the new generation").isSameAs(fresh);
        assertThat(t.current()).as("media stays on the old pair").isSameAs(first);
        assertThat(t.awaitsRestartCredentials()).isTrue();
        assertThat(peerRestarts(t, "peer2", "pwd2pwd2pwd2pwd2pwd2pwd2"))
                .as("the answer to our restart carries its credentials: not a restart of the peer's").isFalse();
        assertThat(t.takeRemoteCredentials("peer2", "pwd2pwd2pwd2pwd2pwd2pwd2", false)).isSameAs(fresh);
        assertThat(t.awaitsRestartCredentials()).isFalse();
        assertThat(peerRestarts(t, "peer2", "pwd2pwd2pwd2pwd2pwd2pwd2")).isFalse();
        assertThat(peerRestarts(t, "peer1", "pwd1pwd1pwd1pwd1pwd1pwd1")).isTrue();
        t.close();
    }

    @Test
    void aPromotedRestartRetiresTheOldEndpointForTheGracePeriodOnly() throws Exception {
        IceEndpoint first = endpoint();
        MediaTransport t = new MediaTransport(first, timer, 300);
        IceEndpoint fresh = endpoint();
        assertThat(t.promote(fresh)).as("not a pending restart").isFalse();
        t.restart(fresh);
        IceEndpoint stranger = endpoint();
        assertThat(t.promote(stranger)).isFalse();
        assertThat(t.promote(fresh)).isTrue();
        assertThat(t.current()).isSameAs(fresh);
        assertThat(t.pending()).isNull();
        assertThat(t.newest()).isSameAs(fresh);
        assertThat(t.retiringCount()).isEqualTo(1);
        assertThat(bound(first)).as("the old endpoint still receives while the peer switches").isTrue();
        assertThat(t.promote(fresh)).as("promoted once").isFalse();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((t.retiringCount() > 0 || bound(first)) && System.nanoTime() < deadline) Thread.sleep(20); // polling a condition
        assertThat(t.retiringCount()).isZero();
        assertThat(bound(first)).as("closed after the grace period").isFalse();
        assertThat(bound(fresh)).isTrue();
        t.close();
        assertThat(bound(fresh)).isFalse();
    }

    @Test
    void aLaterRestartOrAFailureOrNoAnswerDropsTheUnfinishedOne() throws IOException {
        IceEndpoint first = endpoint();
        MediaTransport t = new MediaTransport(first, timer, 10_000);
        IceEndpoint r1 = endpoint();
        IceEndpoint r2 = endpoint();
        t.restart(r1);
        t.restart(r2);
        assertThat(t.pending()).isSameAs(r2);
        assertThat(bound(r1)).as("the superseded restart is closed").isFalse();
        assertThat(t.dropFailedRestart(r1)).as("a superseded endpoint's failure changes nothing").isFalse();
        assertThat(t.pending()).isSameAs(r2);

        assertThat(t.dropFailedRestart(r2)).isTrue();
        assertThat(t.pending()).isNull();
        assertThat(t.current()).isSameAs(first);
        assertThat(bound(r2)).isFalse();

        IceEndpoint r3 = endpoint();
        t.restart(r3);
        t.dropUnansweredRestart();
        assertThat(t.pending()).as("rolled back or answered without ICE").isNull();
        assertThat(bound(r3)).isFalse();

        IceEndpoint r4 = endpoint();
        t.restart(r4);
        t.takeRemoteCredentials("peer", "pwdpwdpwdpwdpwdpwdpwdpwd", false);
        t.dropUnansweredRestart();
        assertThat(t.pending()).as("answered: its checks run on").isSameAs(r4);
        assertThat(bound(first)).isTrue();

        t.close();
        assertThat(bound(first)).isFalse();
        assertThat(bound(r4)).isFalse();
    }

    @Test
    void anEndpointRetiredWhileTheEngineStopsIsClosedAtOnce() throws IOException {
        IceEndpoint first = endpoint();
        MediaTransport t = new MediaTransport(first, timer, 10_000);
        IceEndpoint fresh = endpoint();
        t.restart(fresh);
        timer.shutdown();
        assertThat(t.promote(fresh)).isTrue();
        assertThat(t.retiringCount()).isZero();
        assertThat(bound(first)).isFalse();
        t.close();
    }

    @Test
    void closingTakesThePendingAndRetiringEndpointsToo() throws IOException {
        IceEndpoint first = endpoint();
        MediaTransport t = new MediaTransport(first, timer, 60_000);
        IceEndpoint second = endpoint();
        t.restart(second);
        t.promote(second);
        IceEndpoint third = endpoint();
        t.restart(third);
        assertThat(bound(first)).isTrue();
        t.close();
        assertThat(t.retiringCount()).isZero();
        assertThat(bound(first)).as("retiring").isFalse();
        assertThat(bound(second)).as("current").isFalse();
        assertThat(bound(third)).as("pending").isFalse();
    }
}
