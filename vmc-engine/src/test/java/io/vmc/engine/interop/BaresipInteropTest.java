package io.vmc.engine.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.MediaEngine;
import io.vmc.engine.EngineConfig;
import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.transport.proto.CloseSession;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SdpType;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SetRemoteDescription;
import io.vmc.transport.proto.StreamStats;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The engine against baresip, a SIP phone nobody here wrote: the engine's SDP and media, as
 * offerer and as answerer, PCMU and Opus (plain RTP/AVP and SDES-SRTP), tones checked on both sides.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BaresipInteropTest {
    private static final AtomicLong IDS = new AtomicLong();
    @TempDir Path tmp;

    static Response call(MediaEngine e, Request.Builder r) throws Exception {
        Response resp = e.handle(r.setId(IDS.incrementAndGet()).build()).get(10, TimeUnit.SECONDS);
        assertThat(resp.hasError()).as("%s", resp.getError().getMessage()).isFalse();
        return resp;
    }

    static StreamStats stats(MediaEngine e, String sid) throws Exception {
        var s = call(e, Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sid))).getStats();
        return s.getStreamsCount() == 0 ? StreamStats.getDefaultInstance() : s.getStreams(0);
    }

    @ParameterizedTest(name = "{0} {1} engine-offers={2}")
    @CsvSource({
        "PCMU, plain, true", "PCMU, plain, false", "opus, plain, true", "opus, plain, false",
        "PCMU, srtp, true", "opus, srtp, false"})
    void tonesBothWays(String codec, String security, boolean engineOffers) throws Exception {
        io.vmc.engine.ToolsAccess.require("baresip");
        boolean srtp = security.equals("srtp");
        List<Event> events = new CopyOnWriteArrayList<>();
        Path rec = Files.createDirectories(tmp.resolve("engine"));
        EngineConfig cfg = EngineConfig.builder().iceAddress(InetAddress.getLoopbackAddress())
                .audioSource(EngineConfig.AudioSource.tone(440)).audioSink(EngineConfig.AudioSink.none())
                .recordDir(rec).allowLocalDestinations(java.util.Set.of(EngineConfig.LocalDestination.LOOPBACK)).build();
        String params = (codec.equals("opus") ? ";audio_codecs=opus" : ";audio_codecs=PCMU/8000/1")
                + (srtp ? ";mediaenc=srtp-mand" : "");
        try (MediaEngine engine = new MediaEngine(cfg, events::add); SipUa sip = new SipUa()) {
            String sid = call(engine, Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true).addAudioCodecs(codec)
                            .setSrtp(srtp ? SessionOptions.SrtpPolicy.SRTP_REQUIRED : SessionOptions.SrtpPolicy.SRTP_OPTIONAL))))
                    .getSessionCreated().getSessionId();
            Baresip phone;
            if (engineOffers) {
                phone = new Baresip(tmp.resolve("baresip"), 880, params, 60);
                String offer = call(engine, Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sid)))
                        .getDescription().getSdp();
                String answer = inviteWithRetry(sip, phone, offer);
                call(engine, Request.newBuilder().setSetRemoteDescription(SetRemoteDescription.newBuilder()
                        .setSessionId(sid).setType(SdpType.ANSWER).setSdp(answer)));
            } else {
                phone = new Baresip(tmp.resolve("baresip"), 880, params, 60, "/dial sip:engine@127.0.0.1:" + sip.port);
                String offer = sip.awaitInvite(15_000);
                String answer = call(engine, Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder()
                        .setSessionId(sid).setRemoteSdp(offer))).getDescription().getSdp();
                sip.accept(answer, 10_000);
            }
            try (phone) {
                // Media both ways; each direction on its own clock: on a loaded machine our sending
                // pipeline can reach PLAYING seconds after baresip's packets started to arrive.
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    StreamStats s = stats(engine, sid);
                    return s.getPacketsReceived() >= 200 && s.getPacketsSent() > 100;
                });
                StreamStats st = stats(engine, sid);
                assertThat(st.getEncrypted()).isEqualTo(srtp);
                assertThat(st.getCodec()).isEqualToIgnoringCase(codec);
                sip.bye();
                call(engine, Request.newBuilder().setCloseSession(CloseSession.newBuilder().setSessionId(sid)));
                // baresip closes its WAV when the call ends
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    try {
                        return Files.size(phone.decodedWav()) > 30000;
                    } catch (java.io.IOException e) {
                        return false;
                    }
                });
                await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> true);
                assertThat(ToneAnalyzer.dominantFrequency(rec.resolve(sid + ".wav"))).as("baresip's tone at the engine")
                        .isCloseTo(880, within(10.0)); // baresip's ausine is table-based: within about 0.5 %
                assertThat(ToneAnalyzer.dominantFrequency(phone.decodedWav())).as("engine's tone at baresip")
                        .isCloseTo(440, within(3.0));
            }
        }
    }

    /** baresip needs a moment to open its SIP socket. */
    private static String inviteWithRetry(SipUa sip, Baresip phone, String offer) throws Exception {
        java.io.IOException last = null;
        for (int i = 0; i < 10 && phone.isAlive(); i++) {
            try {
                return sip.invite(phone.sipPort, "bob", offer, 1500);
            } catch (java.io.IOException e) {
                last = e;
            }
        }
        throw new AssertionError("baresip did not answer: " + phone.log(), last);
    }
}
