package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.internal.call.Call;
import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ICE restarts (RFC 8445 section 9, RFC 8839) between two engines on 127.0.0.1: local and remote
 * restarts mid-call, a peer whose media moves to another endpoint with new keys, and hostile re-offers.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class IceRestartTest {
    private static final Pattern UFRAG = Pattern.compile("a=ice-ufrag:(\\S+)");
    private static final Pattern PWD = Pattern.compile("a=ice-pwd:(\\S+)");

    @TempDir Path dirA;
    @TempDir Path dirB;
    @TempDir Path dirC;
    TestEngine a;
    TestEngine b;

    @BeforeEach
    void engines() {
        a = new TestEngine(440, dirA);
        b = new TestEngine(880, dirB);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    String[] call() {
        String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        a.setAnswer(sa, b.answer(sb, a.offer(sa)));
        a.awaitState(sa, SessionState.State.CONNECTED);
        b.awaitState(sb, SessionState.State.CONNECTED);
        a.awaitReceived(sa, 20);
        b.awaitReceived(sb, 20);
        return new String[] {sa, sb};
    }

    static String restartOffer(TestEngine e, String sid) {
        return e.ok(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sid).setIceRestart(true)))
                .getDescription().getSdp();
    }

    static String first(Pattern p, String sdp) {
        Matcher m = p.matcher(sdp);
        assertThat(m.find()).as("%s in %s", p, sdp).isTrue();
        return m.group(1);
    }

    static boolean restartDone(TestEngine e, String sid) {
        return e.events.stream().anyMatch(ev -> ev.hasSessionState() && ev.getSessionState().getSessionId().equals(sid)
                && ev.getSessionState().getReason().startsWith("ICE restart: selected"));
    }

    /** Media keeps flowing both ways for a while: at least {@code n} more packets received on each side. */
    void flowsBothWays(TestEngine x, String sx, TestEngine y, String sy, long n) {
        long rx = x.stats(sx).getPacketsReceived();
        long ry = y.stats(sy).getPacketsReceived();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> x.stats(sx).getPacketsReceived() > rx + n && y.stats(sy).getPacketsReceived() > ry + n);
    }

    /** {@code offerer} restarts ICE; the other side answers; both must end up on a new pair with the same streams. */
    void restart(TestEngine offerer, String so, String oldOffer, TestEngine answerer, String sa, String oldAnswer) {
        String localBefore = offerer.stats(so).getLocalAddress();
        String peerLocalBefore = answerer.stats(sa).getLocalAddress();
        String offer = restartOffer(offerer, so);
        assertThat(first(UFRAG, offer)).isNotEqualTo(first(UFRAG, oldOffer));
        assertThat(first(PWD, offer)).isNotEqualTo(first(PWD, oldOffer));
        assertThat(offer).contains("typ host");
        // the old pair still carries media while the new checks have not even started
        flowsBothWays(offerer, so, answerer, sa, 10);
        String answer = answerer.answer(sa, offer);
        assertThat(first(UFRAG, answer)).isNotEqualTo(first(UFRAG, oldAnswer));
        assertThat(first(PWD, answer)).isNotEqualTo(first(PWD, oldAnswer));
        offerer.setAnswer(so, answer);
        await().atMost(Duration.ofSeconds(15)).until(() -> restartDone(offerer, so) && restartDone(answerer, sa));
        assertThat(offerer.stats(so).getLocalAddress()).isNotEqualTo(localBefore);
        assertThat(answerer.stats(sa).getLocalAddress()).isNotEqualTo(peerLocalBefore);
        flowsBothWays(offerer, so, answerer, sa, 100);
        assertThat(offerer.lastState(so)).isEqualTo(SessionState.State.CONNECTED);
        assertThat(answerer.lastState(sa)).isEqualTo(SessionState.State.CONNECTED);
        // one stream: same SSRC and keys, so no authentication failures or foreign SSRCs, hardly any loss
        for (var c : List.of(offerer.counters(so), answerer.counters(sa))) {
            assertThat(c).containsEntry("authFailed", 0L).containsEntry("wrongSsrc", 0L);
        }
        assertThat(offerer.stats(so).getPacketsLost()).isLessThan(10);
        assertThat(answerer.stats(sa).getPacketsLost()).isLessThan(10);
    }

    @Test
    void localRestartMovesToANewPairWithoutBreakingTheStream() throws Exception {
        String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        String offer = a.offer(sa);
        String answer = b.answer(sb, offer);
        a.setAnswer(sa, answer);
        a.awaitState(sa, SessionState.State.CONNECTED);
        a.awaitReceived(sa, 20);
        b.awaitReceived(sb, 20);

        restart(a, sa, offer, b, sb, answer);

        a.close(sa);
        b.close(sb);
        assertThat(ToneAnalyzer.dominantFrequency(a.recording(sa))).isCloseTo(880, within(3.0));
        assertThat(ToneAnalyzer.dominantFrequency(b.recording(sb))).isCloseTo(440, within(3.0));
    }

    @Test
    void remoteRestartIsAnsweredWithNewCredentials() throws Exception {
        String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        String offer = a.offer(sa);
        String answer = b.answer(sb, offer);
        a.setAnswer(sa, answer);
        a.awaitReceived(sa, 20);
        b.awaitReceived(sb, 20);

        // B (the answerer of the call) restarts: for A this is a remote restart
        restart(b, sb, answer, a, sa, offer);
        // and again the other way: a second generation on both sides
        String offer2 = restartOffer(a, sa);
        String answer2 = b.answer(sb, offer2);
        a.setAnswer(sa, answer2);
        await().atMost(Duration.ofSeconds(15)).until(() -> a.count(e -> e.hasSessionState()
                && e.getSessionState().getReason().startsWith("ICE restart: selected")) >= 2);
        flowsBothWays(a, sa, b, sb, 50);
        assertThat(a.counters(sa)).containsEntry("authFailed", 0L);

        a.close(sa);
        b.close(sb);
        assertThat(ToneAnalyzer.dominantFrequency(a.recording(sa))).isCloseTo(880, within(3.0));
        assertThat(ToneAnalyzer.dominantFrequency(b.recording(sb))).isCloseTo(440, within(3.0));
    }

    /**
     * The peer's media moves to another endpoint (what agentd does between FALLBACK and OPTIMIZED):
     * a fresh session elsewhere re-offers with new ICE credentials, candidates, SDES keys and SSRC.
     */
    @Test
    void peerMediaMovesToAnotherEndpointWithNewKeys() throws Exception {
        String[] s = call();
        String sa = s[0];
        String oldRemote = a.stats(sa).getRemoteAddress();
        try (TestEngine c = new TestEngine(660, dirC)) {
            String sc = c.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
            String moveOffer = c.offer(sc);
            String answer = a.answer(sa, moveOffer);
            c.setAnswer(sc, answer);
            b.close(s[1]); // the old home goes away
            c.awaitState(sc, SessionState.State.CONNECTED);
            await().atMost(Duration.ofSeconds(15)).until(() -> restartDone(a, sa));
            assertThat(a.stats(sa).getRemoteAddress()).isNotEqualTo(oldRemote);
            flowsBothWays(a, sa, c, sc, 150);
            assertThat(a.lastState(sa)).isEqualTo(SessionState.State.CONNECTED);
            // until the old home closed, its packets (old keys) could fail authentication at A; none after
            long failedAtA = a.counters(sa).get("authFailed");
            flowsBothWays(a, sa, c, sc, 50);
            assertThat(a.counters(sa)).containsEntry("authFailed", failedAtA);
            assertThat(c.counters(sc)).containsEntry("authFailed", 0L).containsEntry("wrongSsrc", 0L);
            a.close(sa);
            c.close(sc);
            // A's receiver restarted with the new keys: its recording holds the new endpoint's tone
            assertThat(ToneAnalyzer.dominantFrequency(a.recording(sa))).isCloseTo(660, within(3.0));
            assertThat(ToneAnalyzer.dominantFrequency(c.recording(sc))).isCloseTo(440, within(3.0));
        }
    }

    static String videoPart(String sdp) {
        return sdp.substring(sdp.indexOf("m=video"));
    }

    @Test
    void videoRestartsWithAudioAndAMoveRekeysVideo(@TempDir Path dirD) {
        try (TestEngine va = new TestEngine(440, dirD, x -> x.videoSource(EngineConfig.VideoSource.testPattern("smpte")));
             TestEngine vb = new TestEngine(880, dirC, x -> x.videoSource(EngineConfig.VideoSource.testPattern("ball")))) {
            String sa = va.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = vb.createSession(SessionOptions.newBuilder().setVideo(true));
            String offer = va.offer(sa);
            String answer = vb.answer(sb, offer);
            va.setAnswer(sa, answer);
            await().atMost(Duration.ofSeconds(20)).until(() -> VideoCallTest.video(va, sa).getFramesDecoded() > 10
                    && VideoCallTest.video(vb, sb).getFramesDecoded() > 10);
            String videoLocalA = VideoCallTest.video(va, sa).getLocalAddress();
            String videoLocalB = VideoCallTest.video(vb, sb).getLocalAddress();

            String restart = restartOffer(va, sa);
            assertThat(first(UFRAG, videoPart(restart))).isNotEqualTo(first(UFRAG, videoPart(offer)));
            String restartAnswer = vb.answer(sb, restart);
            assertThat(first(UFRAG, videoPart(restartAnswer))).isNotEqualTo(first(UFRAG, videoPart(answer)));
            va.setAnswer(sa, restartAnswer);
            await().atMost(Duration.ofSeconds(15)).until(() -> restartDone(va, sa)
                    && !VideoCallTest.video(va, sa).getLocalAddress().equals(videoLocalA)
                    && !VideoCallTest.video(vb, sb).getLocalAddress().equals(videoLocalB));
            long fa = VideoCallTest.video(va, sa).getFramesDecoded();
            long fb = VideoCallTest.video(vb, sb).getFramesDecoded();
            await().atMost(Duration.ofSeconds(15)).until(() -> VideoCallTest.video(va, sa).getFramesDecoded() > fa + 30
                    && VideoCallTest.video(vb, sb).getFramesDecoded() > fb + 30);
            assertThat(va.counters(sa)).containsEntry("videoAuthFailed", 0L).containsEntry("videoWrongSsrc", 0L);
            assertThat(vb.counters(sb)).containsEntry("videoAuthFailed", 0L).containsEntry("videoWrongSsrc", 0L);

            // B's media moves to a third engine: new ICE, new audio and video keys; A's video flow takes the new keys
            try (TestEngine vc = new TestEngine(660, dirB, x -> x.videoSource(EngineConfig.VideoSource.testPattern("snow")))) {
                String sc = vc.createSession(SessionOptions.newBuilder().setVideo(true));
                vc.setAnswer(sc, va.answer(sa, vc.offer(sc)));
                vb.close(sb);
                await().atMost(Duration.ofSeconds(20)).until(() -> VideoCallTest.video(va, sa).getFramesDecoded() > 30
                        && VideoCallTest.video(vc, sc).getFramesDecoded() > 30);
                long failed = va.counters(sa).get("videoAuthFailed");
                long f2 = VideoCallTest.video(va, sa).getFramesDecoded();
                await().atMost(Duration.ofSeconds(15)).until(() -> VideoCallTest.video(va, sa).getFramesDecoded() > f2 + 30);
                assertThat(va.counters(sa)).containsEntry("videoAuthFailed", failed);
                assertThat(vc.counters(sc)).containsEntry("videoAuthFailed", 0L);
                va.awaitReceived(sa, 50);
            }
        }
    }

    static Error.Code code(Response r) {
        return r.hasError() ? r.getError().getCode() : Error.Code.CODE_UNSPECIFIED;
    }

    Response answerAt(TestEngine e, String sid, String offer) {
        return e.call(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sid).setRemoteSdp(offer)));
    }

    @Test
    void hostileReoffersAreRefusedAndTheCallGoesOn() {
        String[] s = call();
        String reoffer = a.offer(s[0]);
        String ufrag = first(UFRAG, reoffer);
        String pwd = first(PWD, reoffer);

        // new ufrag, no password: refused, not read as "no ICE"
        Response r = answerAt(b, s[1], reoffer.replace(ufrag, "Zz9f").replaceAll("a=ice-pwd:\\S+\r\n", ""));
        assertThat(code(r)).isEqualTo(Error.Code.INVALID_ARGUMENT);
        assertThat(r.getError().getMessage()).contains("ice-ufrag without a=ice-pwd");
        // password without ufrag
        r = answerAt(b, s[1], reoffer.replaceAll("a=ice-ufrag:\\S+\r\n", ""));
        assertThat(r.getError().getMessage()).contains("ice-pwd without a=ice-ufrag");
        // absurd lengths and characters
        assertThat(code(answerAt(b, s[1], reoffer.replace(ufrag, "u".repeat(300))))).isEqualTo(Error.Code.INVALID_ARGUMENT);
        assertThat(code(answerAt(b, s[1], reoffer.replace(ufrag, "a b")))).isEqualTo(Error.Code.INVALID_ARGUMENT);
        assertThat(code(answerAt(b, s[1], reoffer.replace(pwd, "short")))).isEqualTo(Error.Code.INVALID_ARGUMENT);
        assertThat(code(answerAt(b, s[1], reoffer.replace(pwd, "p".repeat(900))))).isEqualTo(Error.Code.INVALID_ARGUMENT);
        // switching a running ICE call to plain RTP: refused, before anything changed
        r = answerAt(b, s[1], reoffer.replaceAll("a=(ice-ufrag|ice-pwd|candidate)[^\r]*\r\n", ""));
        assertThat(code(r)).isEqualTo(Error.Code.UNIMPLEMENTED);

        // nothing of that touched the call; the re-offer itself is still answerable (no restart)
        flowsBothWays(a, s[0], b, s[1], 50);
        String ok = b.answer(s[1], reoffer);
        a.setAnswer(s[0], ok);
        flowsBothWays(a, s[0], b, s[1], 50);
        assertThat(restartDone(b, s[1])).isFalse();
        assertThat(b.lastState(s[1])).isEqualTo(SessionState.State.CONNECTED);
    }

    @Test
    void restartStormIsRateLimitedAndLeaksNothing() throws Exception {
        Set<Long> udpBefore = udpSocketInodes();
        int readersBefore = rtpReaders();
        String[] s = call();

        // local storm: each restart replaces the unfinished one; beyond the limit they are refused
        int accepted = 0;
        int refused = 0;
        String lastOffer = null;
        for (int i = 0; i < 20; i++) {
            Response r = a.call(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(s[0]).setIceRestart(true)));
            if (r.hasError()) {
                assertThat(r.getError().getCode()).isEqualTo(Error.Code.RESOURCE_EXHAUSTED);
                assertThat(r.getError().getMessage()).contains("too many ICE restarts");
                refused++;
            } else {
                accepted++;
                lastOffer = r.getDescription().getSdp();
            }
        }
        assertThat(accepted).isEqualTo(Call.MAX_ICE_RESTARTS);
        assertThat(refused).isEqualTo(20 - Call.MAX_ICE_RESTARTS);
        // at most the selected endpoint and one pending restart stay open (one reader per host
        // candidate); the superseded ones' receive threads end once their sockets are closed
        await().atMost(Duration.ofSeconds(10)).until(() -> rtpReaders() - readersBefore <= 2 + 2);
        // the last accepted restart still completes
        a.setAnswer(s[0], b.answer(s[1], lastOffer));
        await().atMost(Duration.ofSeconds(15)).until(() -> restartDone(a, s[0]) && restartDone(b, s[1]));

        // remote storm at B: re-offers with made-up credentials (their checks can never succeed)
        String base = a.offer(s[0]);
        String ufrag = first(UFRAG, base);
        String pwd = first(PWD, base);
        int remoteAccepted = 0;
        for (int i = 0; i < 20; i++) {
            String fake = base.replace(ufrag, "storm" + i).replace(pwd, "stormpassword0123456789x" + i);
            Response r = answerAt(b, s[1], fake);
            if (r.hasError()) {
                assertThat(r.getError().getCode()).isEqualTo(Error.Code.RESOURCE_EXHAUSTED);
            } else {
                remoteAccepted++;
            }
        }
        assertThat(remoteAccepted).isEqualTo(Call.MAX_ICE_RESTARTS - 1); // B spent one on the real restart
        // the call never left its pair
        flowsBothWays(a, s[0], b, s[1], 100);
        assertThat(a.counters(s[0])).containsEntry("authFailed", 0L);
        assertThat(b.counters(s[1])).containsEntry("authFailed", 0L);

        a.close(s[0]);
        b.close(s[1]);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> rtpReaders() <= readersBefore && difference(udpSocketInodes(), udpBefore).isEmpty());
    }

    static int rtpReaders() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("vmc-rtp-rx")).count();
    }

    static Set<Long> difference(Set<Long> x, Set<Long> y) {
        Set<Long> d = new HashSet<>(x);
        d.removeAll(y);
        return d;
    }

    /** Inodes of this JVM's open UDP sockets (its fds that /proc/self/net/udp{,6} list). */
    static Set<Long> udpSocketInodes() throws IOException {
        Set<Long> udp = new HashSet<>();
        for (String f : List.of("/proc/self/net/udp", "/proc/self/net/udp6")) {
            Path p = Path.of(f);
            if (!Files.exists(p)) continue;
            for (String line : Files.readAllLines(p)) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length > 9 && cols[9].matches("\\d+")) udp.add(Long.parseLong(cols[9]));
            }
        }
        Set<Long> mine = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String t = Files.readSymbolicLink(fd).toString();
                    if (t.startsWith("socket:[")) {
                        long ino = Long.parseLong(t.substring(8, t.length() - 1));
                        if (udp.contains(ino)) mine.add(ino);
                    }
                } catch (IOException e) {
                    // the fd closed meanwhile
                }
            }
        }
        return mine;
    }
}
