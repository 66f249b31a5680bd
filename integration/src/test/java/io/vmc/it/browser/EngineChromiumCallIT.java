package io.vmc.it.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.QuadrantScreen;
import io.vmc.engine.ScreenShareConsent;
import io.vmc.engine.TestEngine;
import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SetHold;
import io.vmc.transport.proto.StartScreenShare;
import io.vmc.transport.proto.StreamStats;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A page's RTCPeerConnection in headless Chromium (in a namespace) and the engine (in this JVM,
 * driven through vmc.v1 requests) in an encrypted audio + video call, both offer directions, with
 * an ICE restart mid-call. The page hears the engine's tone and sees its colour, and its getStats()
 * shows DTLS connected and SRTP both ways; the engine records the page's tone and decodes its video.
 * The same with GStreamer's webrtcbin in the page's place.
 */
@Timeout(180)
class EngineChromiumCallIT {
    static final double ENGINE_HZ = 660;
    /** The engine's videotestsrc "green" pattern. */
    static final int GREEN = 0x00ff00;

    @TempDir static Path dir;
    static PeerNetwork network;
    static FakeMedia pageMedia;

    @BeforeAll
    static void network() throws Exception {
        Prerequisites.require();
        network = PeerNetwork.create();
        pageMedia = FakeMedia.create(440, WebRtcPeersIT.RED, dir);
    }

    @AfterAll
    static void removeNetwork() {
        if (network != null) network.close();
    }

    private static TestEngine engine(Path record) throws Exception {
        return new TestEngine(ENGINE_HZ, record, InetAddress.getByName(network.engineAddress()),
                b -> b.videoSource(EngineConfig.VideoSource.testPattern("green")));
    }

    @Test
    void pageOffersEngineAnswersAndThePageRestartsIce() throws Exception {
        Path record = Files.createDirectories(dir.resolve("engine-answers"));
        try (TestEngine engine = engine(record);
             ChromiumPeer page = ChromiumPeer.start("page-offers", network.a().namespace(), pageMedia, dir)) {
            page.start();
            String sid = engine.createSession(SessionOptions.newBuilder().setVideo(true));
            String answer = engine.answer(sid, page.offer(true));
            assertThat(answer).contains("UDP/TLS/RTP/SAVPF").contains("a=fingerprint:sha-256").contains("a=group:BUNDLE");
            assertThat(answer).as("the MID extension negotiated (RFC 8843 section 15)").contains(MID_EXTMAP);
            page.accept(answer);
            engine.awaitState(sid, SessionState.State.CONNECTED);
            awaitMedia(engine, sid, page);
            assertRoutedByMid(engine, sid);

            String restart = page.offerIceRestart();
            page.accept(engine.answer(sid, restart));
            long heard = page.stats().packetsReceived("audio");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> page.stats().packetsReceived("audio") > heard + 100);
            awaitMedia(engine, sid, page);
            engine.close(sid);
        }
        assertThat(ToneAnalyzer.dominantFrequency(newestWav(record))).isCloseTo(pageMedia.toneHz(), within(5.0));
    }

    @Test
    void engineOffersPageAnswers() throws Exception {
        Path record = Files.createDirectories(dir.resolve("engine-offers"));
        try (TestEngine engine = engine(record);
             ChromiumPeer page = ChromiumPeer.start("page-answers", network.a().namespace(), pageMedia, dir)) {
            page.start();
            String sid = engine.createSession(SessionOptions.newBuilder().setVideo(true).setDtlsSrtp(true));
            String offer = engine.offer(sid);
            assertThat(offer).contains("a=setup:actpass").contains("a=fingerprint:sha-256");
            String answer = page.answer(offer, true);
            assertThat(answer).as("Chromium takes the offered MID extension").contains(MID_EXTMAP);
            engine.setAnswer(sid, answer);
            engine.awaitState(sid, SessionState.State.CONNECTED);
            awaitMedia(engine, sid, page);
            assertRoutedByMid(engine, sid);
            engine.close(sid);
        }
        assertThat(ToneAnalyzer.dominantFrequency(newestWav(record))).isCloseTo(pageMedia.toneHz(), within(5.0));
    }

    /** Issue 17: a camera-only page offers one m=video (BUNDLE of one); the engine answers it and the call runs on video alone. */
    @Test
    void pageOffersVideoOnlyAndTheEngineAnswersWithVideoAlone() throws Exception {
        Path record = Files.createDirectories(dir.resolve("video-only"));
        try (TestEngine engine = engine(record);
             ChromiumPeer page = ChromiumPeer.start("page-video-only", network.a().namespace(), pageMedia, dir)) {
            page.startVideoOnly();
            String offer = page.offer(true);
            assertThat(offer).contains("m=video ").doesNotContain("m=audio");
            String sid = engine.createSession(SessionOptions.newBuilder().setVideo(true));
            String answer = engine.answer(sid, offer);
            assertThat(answer).contains("m=video ").doesNotContain("m=audio").contains("a=setup:active")
                    .contains("a=fingerprint:sha-256").containsPattern("a=group:BUNDLE \\S+\r\n");
            assertThat(answer.split("\r\nm=", -1)).as("one m= line, as offered").hasSize(2);
            page.accept(answer);
            engine.awaitState(sid, SessionState.State.CONNECTED);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                WebRtcPeer.Stats s = page.stats();
                assertThat(s.dtlsStates()).as("page: %s", s).isNotEmpty().allMatch("connected"::equals);
                assertThat(s.packetsReceived("video")).as("page: %s", s).isGreaterThan(30);
                assertThat(s.packetsSent("video")).as("page: %s", s).isGreaterThan(30);
                WebRtcPeer.Colour c = page.seeing();
                assertThat(c.near(GREEN, WebRtcPeersIT.COLOUR_TOLERANCE)).as("page sees %s", c).isTrue();
                StreamStats v = video(engine, sid);
                assertThat(v.getEncrypted()).isTrue();
                assertThat(v.getFramesDecoded()).as("engine decodes the page's video").isGreaterThan(10);
            });
            WebRtcPeer.Stats s = page.stats();
            assertThat(s.packetsReceived("audio")).as("no audio on the wire: %s", s).isZero();
            assertThat(engine.ok(Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sid))).getStats()
                    .getStreamsList()).extracting(StreamStats::getKind).as("the engine claims no audio").containsExactly(MediaKind.VIDEO);
            engine.close(sid);
        }
    }

    /**
     * Issue 17: a page offers audio, video and a data channel; the engine rejects the data channel
     * (port 0, its mid kept), and its own hold and resume re-offers keep all three lines where they
     * were, as Chromium requires of a subsequent offer (RFC 3264 section 8, JSEP 5.2.2).
     */
    @Test
    void theEnginesHoldReOffersKeepThePagesDataChannelLine() throws Exception {
        Path record = Files.createDirectories(dir.resolve("data-channel"));
        try (TestEngine engine = engine(record);
             ChromiumPeer page = ChromiumPeer.start("page-data-channel", network.a().namespace(), pageMedia, dir)) {
            page.startWithDataChannel();
            String offer = page.offer(true);
            assertThat(offer).contains("m=application ");
            String sid = engine.createSession(SessionOptions.newBuilder().setVideo(true));
            String answer = engine.answer(sid, offer);
            assertThat(answer).containsPattern("m=application 0 [^\r]*\r\n(?:[^m][^\r]*\r\n)*a=mid:2\r\n");
            page.accept(answer);
            engine.awaitState(sid, SessionState.State.CONNECTED);
            awaitMedia(engine, sid, page);

            String hold = engine.ok(Request.newBuilder().setSetHold(SetHold.newBuilder().setSessionId(sid).setHold(true)))
                    .getDescription().getSdp();
            assertThat(hold.split("\r\nm=", -1)).as("three lines, as last exchanged").hasSize(4);
            assertThat(hold).contains("m=application 0 ").contains("a=sendonly");
            engine.setAnswer(sid, page.answer(hold, true)); // Chromium refuses a re-offer whose lines moved
            engine.awaitState(sid, SessionState.State.ON_HOLD);

            String resume = engine.ok(Request.newBuilder().setSetHold(SetHold.newBuilder().setSessionId(sid).setHold(false)))
                    .getDescription().getSdp();
            engine.setAnswer(sid, page.answer(resume, true));
            engine.awaitState(sid, SessionState.State.CONNECTED);
            long heard = engine.stats(sid).getPacketsReceived();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> engine.stats(sid).getPacketsReceived() > heard + 100);
            awaitMedia(engine, sid, page);
            engine.close(sid);
        }
    }

    /**
     * Issue 20: the engine shares a (known, four-colour) guest screen with a page after the user
     * allowed it; the page sees each quadrant in its place, at the screen's own size.
     */
    @Test
    void engineSharesTheScreenAndThePageSeesIt() throws Exception {
        Path record = Files.createDirectories(dir.resolve("screen-share"));
        ScreenShareConsent allow = new ScreenShareConsent() {
            @Override
            public java.util.concurrent.CompletableFuture<Boolean> ask(Question q) {
                return java.util.concurrent.CompletableFuture.completedFuture(true);
            }

            @Override
            public AutoCloseable sharing(Question q, Runnable stop) {
                return () -> { };
            }
        };
        try (TestEngine engine = new TestEngine(ENGINE_HZ, record, InetAddress.getByName(network.engineAddress()),
                b -> b.screenSource(new QuadrantScreen()).screenShareConsent(allow));
             ChromiumPeer page = ChromiumPeer.start("page-sees-share", network.a().namespace(), pageMedia, dir)) {
            page.start();
            String sid = engine.createSession(SessionOptions.newBuilder().setVideo(true).setDtlsSrtp(true).setScreenShare(true));
            String offer = engine.offer(sid);
            assertThat(offer).contains("a=content:slides");
            engine.setAnswer(sid, page.answer(offer, true));
            engine.awaitState(sid, SessionState.State.CONNECTED);
            engine.ok(Request.newBuilder().setStartScreenShare(StartScreenShare.newBuilder().setSessionId(sid).setMaxFps(5)));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(page.videoSize()).as("the shared screen's size").containsExactly(QuadrantScreen.WIDTH, QuadrantScreen.HEIGHT);
                int[][] spots = {{1, 1, QuadrantScreen.RED}, {3, 1, QuadrantScreen.GREEN}, {1, 3, QuadrantScreen.BLUE},
                        {3, 3, QuadrantScreen.YELLOW}};
                for (int[] s : spots) {
                    WebRtcPeer.Colour c = page.seeingAt(s[0] / 4.0, s[1] / 4.0);
                    assertThat(c.near(s[2], WebRtcPeersIT.COLOUR_TOLERANCE)).as("page sees %s at %d/4, %d/4", c, s[0], s[1]).isTrue();
                }
            });
            assertThat(page.stats().dtlsStates()).isNotEmpty().allMatch("connected"::equals);
            engine.close(sid);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} offers")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"webrtcbin", "engine"})
    void webrtcbinAndTheEngineCall(String offerer) throws Exception {
        Path record = Files.createDirectories(dir.resolve("webrtcbin-" + offerer));
        try (TestEngine engine = engine(record);
             WebrtcbinPeer peer = WebrtcbinPeer.start("webrtcbin-" + offerer, network.a().namespace(), pageMedia, dir)) {
            String sid = engine.createSession(SessionOptions.newBuilder().setVideo(true).setDtlsSrtp(true));
            if (offerer.equals("webrtcbin")) {
                peer.accept(engine.answer(sid, peer.offer(true)));
            } else {
                engine.setAnswer(sid, peer.answer(engine.offer(sid), true));
            }
            engine.awaitState(sid, SessionState.State.CONNECTED);
            awaitMedia(engine, sid, peer);
            engine.close(sid);
        }
        assertThat(ToneAnalyzer.dominantFrequency(newestWav(record))).isCloseTo(pageMedia.toneHz(), within(5.0));
    }

    static final String MID_EXTMAP = " urn:ietf:params:rtp-hdrext:sdes:mid";

    /**
     * Chromium's bundled packets carried their MID, and the engine routed them by it (the engine's
     * own carry it too, or the page would have received nothing). libwebrtc stops writing the MID
     * once our receiver reports acknowledge its SSRC, so there are a few dozen, not all.
     */
    static void assertRoutedByMid(TestEngine engine, String sid) {
        assertThat(engine.counters(sid).get("routedByMid")).as("packets the engine routed by MID").isPositive();
    }

    static void awaitMedia(TestEngine engine, String sid, WebRtcPeer page) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            WebRtcPeer.Stats s = page.stats();
            assertThat(s.dtlsStates()).as("page: %s", s).isNotEmpty().allMatch("connected"::equals);
            assertThat(s.packetsReceived("audio")).as("page: %s", s).isGreaterThan(50);
            assertThat(s.packetsReceived("video")).as("page: %s", s).isGreaterThan(30);
            assertThat(s.packetsSent("audio")).as("page: %s", s).isGreaterThan(50);
            assertThat(page.hearing()).as("page hears").isCloseTo(ENGINE_HZ, within(5.0));
            WebRtcPeer.Colour c = page.seeing();
            assertThat(c.near(GREEN, WebRtcPeersIT.COLOUR_TOLERANCE)).as("page sees %s", c).isTrue();
            StreamStats audio = engine.stats(sid);
            assertThat(audio.getEncrypted()).isTrue();
            assertThat(audio.getPacketsReceived()).isGreaterThan(50);
            assertThat(video(engine, sid).getFramesDecoded()).as("engine decodes the page's video").isGreaterThan(10);
        });
    }

    static StreamStats video(TestEngine e, String sid) {
        var s = e.ok(Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sid))).getStats();
        return s.getStreamsList().stream().filter(x -> x.getKind() == MediaKind.VIDEO).findFirst()
                .orElse(StreamStats.getDefaultInstance());
    }

    static Path newestWav(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".wav")).max(java.util.Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow(() -> new AssertionError("the engine recorded nothing in " + dir));
        }
    }
}
