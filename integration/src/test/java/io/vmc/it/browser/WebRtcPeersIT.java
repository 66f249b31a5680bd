package io.vmc.it.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The harness of the browser tests, proved between real WebRTC peers that work today: two
 * Chromium pages, and Chromium with GStreamer's webrtcbin, each in its own network namespace.
 * Audio and video both ways, encrypted (DTLS-SRTP); each side hears the other's tone and sees
 * its colour; an ICE restart mid-call keeps the media flowing.
 */
@Timeout(180)
class WebRtcPeersIT {
    static final int RED = 0xff0000;
    static final int BLUE = 0x0000ff;
    /** How far a channel may drift through VP8 and colour conversion. */
    static final int COLOUR_TOLERANCE = 40;

    @TempDir static Path dir;
    static PeerNetwork network;
    static FakeMedia aMedia;
    static FakeMedia bMedia;

    @BeforeAll
    static void network() throws Exception {
        Prerequisites.require();
        network = PeerNetwork.create();
        aMedia = FakeMedia.create(440, RED, dir);
        bMedia = FakeMedia.create(880, BLUE, dir);
    }

    @AfterAll
    static void removeNetwork() {
        if (network != null) network.close();
    }

    @Test
    void twoChromiumPagesCallWithTrickledCandidatesAndRestartIce() throws Exception {
        try (ChromiumPeer a = ChromiumPeer.start("chromium-a", network.a().namespace(), aMedia, dir);
             ChromiumPeer b = ChromiumPeer.start("chromium-b", network.b().namespace(), bMedia, dir)) {
            a.start();
            b.start();
            String offer = a.offer(false);
            a.accept(b.answer(offer, false));
            trickle(a, b);
            trickle(b, a);
            awaitMediaBothWays(a, b);
            assertThat(a.stats().remoteAddress()).startsWith(network.b().address() + ":");
            assertThat(a.offerToFirstAudioMs()).isPositive();

            // B restarts ICE mid-call: new credentials, and the media goes on in both directions.
            String restart = b.offerIceRestart();
            assertThat(ufrag(restart)).isNotEqualTo(ufrag(offer));
            b.accept(a.answer(restart, true));
            long aHeard = a.stats().packetsReceived("audio");
            long bHeard = b.stats().packetsReceived("audio");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() ->
                    a.stats().packetsReceived("audio") > aHeard + 100 && b.stats().packetsReceived("audio") > bHeard + 100);
            awaitMediaBothWays(a, b);
        }
    }

    @ParameterizedTest(name = "{0} offers")
    @ValueSource(strings = {"chromium", "webrtcbin"})
    void chromiumAndWebrtcbinCall(String offerer) throws Exception {
        try (ChromiumPeer a = ChromiumPeer.start("chromium-" + offerer, network.a().namespace(), aMedia, dir);
             WebrtcbinPeer b = WebrtcbinPeer.start("webrtcbin-" + offerer, network.b().namespace(), bMedia, dir)) {
            if (offerer.equals("chromium")) {
                call(a, b);
            } else {
                call(b, a);
            }
        }
    }

    /** offerer → answerer with gathered candidates, then the checks on both sides. */
    static void call(WebRtcPeer offerer, WebRtcPeer answerer) throws Exception {
        offerer.start();
        answerer.start();
        String offer = offerer.offer(true);
        assertThat(offer).contains("a=group:BUNDLE").contains("UDP/TLS/RTP/SAVPF").contains("a=fingerprint:sha-256");
        offerer.accept(answerer.answer(offer, true));
        awaitMediaBothWays(offerer, answerer);
    }

    /** Relays {@code from}'s candidates to {@code to} until {@code from} has gathered them all. */
    static void trickle(WebRtcPeer from, WebRtcPeer to) {
        await().alias(from.name() + " finishes gathering").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    for (WebRtcPeer.Candidate c : from.takeCandidates()) {
                        to.addCandidate(c);
                        if (c.candidate() == null) return true; // end of candidates
                    }
                    return false;
                });
    }

    static String ufrag(String sdp) {
        var m = java.util.regex.Pattern.compile("a=ice-ufrag:(\\S+)").matcher(sdp);
        assertThat(m.find()).as("ice-ufrag in %s", sdp).isTrue();
        return m.group(1);
    }

    /** Each side's stats show DTLS connected and SRTP both ways; each hears and sees the other's media. */
    static void awaitMediaBothWays(WebRtcPeer x, WebRtcPeer y) {
        for (WebRtcPeer[] pair : new WebRtcPeer[][] {{x, y}, {y, x}}) {
            WebRtcPeer me = pair[0];
            FakeMedia far = pair[1].media();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                WebRtcPeer.Stats s = me.stats();
                assertThat(s.dtlsStates()).as("%s: %s", me.name(), s).isNotEmpty().allMatch("connected"::equals);
                assertThat(s.packetsReceived("audio")).as("%s: %s", me.name(), s).isGreaterThan(50);
                assertThat(s.packetsReceived("video")).as("%s: %s", me.name(), s).isGreaterThan(30);
                assertThat(s.packetsSent("audio")).as("%s: %s", me.name(), s).isGreaterThan(50);
                assertThat(s.packetsSent("video")).as("%s: %s", me.name(), s).isGreaterThan(30);
                assertThat(me.hearing()).as("%s hears", me.name()).isCloseTo(far.toneHz(), within(5.0));
                WebRtcPeer.Colour c = me.seeing();
                assertThat(c.near(far.rgb(), COLOUR_TOLERANCE)).as("%s sees %s, expected %06x", me.name(), c, far.rgb())
                        .isTrue();
            });
        }
    }
}
