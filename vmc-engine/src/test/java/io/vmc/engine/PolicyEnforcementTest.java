package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the policy file forbids, the guest cannot get by asking. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PolicyEnforcementTest {
    @TempDir Path dir;

    private static void apply(EngineConfig.Builder b, String policy) {
        EnginePolicy.parse("engine.conf", policy.getBytes(StandardCharsets.UTF_8)).applyTo(b);
    }

    @Test
    void onlyAllowedAudioCodecsAreOfferedOrAccepted() {
        try (TestEngine a = new TestEngine(440, dir, b -> apply(b, "audio.codecs = PCMU, PCMA"))) {
            String offer = a.offer(a.createSession(SessionOptions.newBuilder()));
            assertThat(offer).contains("a=rtpmap:0 PCMU/8000").contains("a=rtpmap:8 PCMA/8000")
                    .doesNotContainIgnoringCase("opus").doesNotContain("G722");
            // the guest asks for opus (and G722, PCMU): only PCMU is left
            String mixed = a.offer(a.createSession(SessionOptions.newBuilder().addAudioCodecs("opus").addAudioCodecs("G722").addAudioCodecs("PCMU")));
            assertThat(mixed).contains("PCMU/8000").doesNotContainIgnoringCase("opus").doesNotContain("PCMA");
            Response r = a.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true).addAudioCodecs("opus"))));
            assertThat(r.getError().getMessage()).contains("none of the audio codecs [opus] is allowed by the client policy").contains("[PCMU, PCMA]");
        }
    }

    @Test
    void videoDisabledByPolicyMakesVideoCallsAudioOnly() {
        try (TestEngine a = new TestEngine(440, dir, b -> apply(b, "video.enabled = false"))) {
            String sid = a.createSession(SessionOptions.newBuilder().setVideo(true));
            assertThat(a.offer(sid)).contains("m=audio").doesNotContain("m=video");
            assertThat(a.events).anySatisfy(e -> assertThat(e.getSessionState().getReason())
                    .isEqualTo("video disabled by the client policy; the call is audio-only"));
        }
    }
}
