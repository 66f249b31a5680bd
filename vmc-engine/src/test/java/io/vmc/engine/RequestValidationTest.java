package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.transport.proto.AddRemoteCandidate;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.GetStatus;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SendDtmf;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SetVideoGeometry;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The engine does not trust the guest: every field is checked where it enters. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RequestValidationTest {
    @TempDir Path dir;

    static Error.Code code(Response r) {
        return r.hasError() ? r.getError().getCode() : Error.Code.CODE_UNSPECIFIED;
    }

    @Test
    void rejectsBadFields() {
        try (TestEngine e = new TestEngine(440, dir)) {
            assertThat(code(e.call(Request.newBuilder()))).isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(code(e.call(Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId("../../etc/passwd")))))
                    .isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(code(e.call(Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId("s0123456789abcdef")))))
                    .isEqualTo(Error.Code.NOT_FOUND);
            assertThat(code(e.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true).addAudioCodecs("evil-codec"))))))
                    .isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(code(e.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true).setLabel("x".repeat(5000)))))))
                    .isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(code(e.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true).setSrtpValue(77))))))
                    .isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(code(e.call(Request.newBuilder().setSetVideoGeometry(SetVideoGeometry.getDefaultInstance()))))
                    .isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(code(e.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true).setVideo(true).addVideoCodecs("H265"))))))
                    .isEqualTo(Error.Code.INVALID_ARGUMENT);

            String sid = e.createSession(SessionOptions.newBuilder());
            // a valid geometry, but this engine has no overlay window
            assertThat(code(e.call(Request.newBuilder().setSetVideoGeometry(SetVideoGeometry.newBuilder().setSessionId(sid)
                    .setArea(io.vmc.transport.proto.Rect.newBuilder().setWidth(10).setHeight(10))
                    .setVisibleAll(true).setScreenWidth(100).setScreenHeight(100)))))
                    .isEqualTo(Error.Code.FAILED_PRECONDITION);
            assertThat(code(e.call(Request.newBuilder().setSetVideoGeometry(SetVideoGeometry.newBuilder().setSessionId(sid)
                    .setSelfView(true))))) // self view without an area
                    .isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(code(e.call(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sid)
                    .setRemoteSdp("v=0\r\n" + "a=x:".repeat(20000))))))
                    .isEqualTo(Error.Code.INVALID_ARGUMENT);
            Response broken = e.call(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sid)
                    .setRemoteSdp("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5 RTP/AVP 300\r\n")));
            assertThat(code(broken)).isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(broken.getError().getMessage()).contains("line 5").contains("payload type");
            // plain RTP offer while SRTP is required
            Response plain = e.call(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sid)
                    .setRemoteSdp("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n")));
            assertThat(code(plain)).isEqualTo(Error.Code.FAILED_PRECONDITION);
            assertThat(plain.getError().getMessage()).contains("requires SRTP");
            // no common codec
            String sid2 = e.createSession(SessionOptions.newBuilder().setSrtp(SessionOptions.SrtpPolicy.SRTP_OPTIONAL));
            Response noCodec = e.call(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sid2)
                    .setRemoteSdp("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n")));
            assertThat(code(noCodec)).isEqualTo(Error.Code.FAILED_PRECONDITION);

            e.offer(sid);
            assertThat(code(e.call(Request.newBuilder().setSendDtmf(SendDtmf.newBuilder().setSessionId(sid).setDigits("12;rm")))))
                    .isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(code(e.call(Request.newBuilder().setSendDtmf(SendDtmf.newBuilder().setSessionId(sid).setDigits("1").setDurationMs(60000)))))
                    .isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(code(e.call(Request.newBuilder().setAddRemoteCandidate(AddRemoteCandidate.newBuilder()
                    .setSessionId(sid).setCandidate("1 1 udp 1 evil.example.com 5000 typ host")))))
                    .isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(e.ok(Request.newBuilder().setGetStatus(GetStatus.getDefaultInstance())).getStatus().getSessionIdsList())
                    .contains(sid, sid2);
        }
    }

    @Test
    void candidateFloodIsCapped() {
        try (TestEngine a = new TestEngine(440, dir); TestEngine b = new TestEngine(880, dir)) {
            String sa = a.createSession(SessionOptions.newBuilder());
            String sb = b.createSession(SessionOptions.newBuilder());
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            int refused = 0;
            for (int i = 0; i < 100; i++) {
                Response r = a.call(Request.newBuilder().setAddRemoteCandidate(AddRemoteCandidate.newBuilder()
                        .setSessionId(sa).setCandidate("9" + i + " 1 udp 100 127.0.0.1 " + (20000 + i) + " typ host")));
                if (code(r) == Error.Code.RESOURCE_EXHAUSTED) refused++;
            }
            assertThat(refused).isGreaterThanOrEqualTo(100 - 64);
        }
    }

    @Test
    void requestFloodIsRateLimited() {
        try (TestEngine e = new TestEngine(440, dir, c -> c.requestRate(20, 40))) {
            int limited = 0;
            for (int i = 0; i < 200; i++) {
                if (code(e.call(Request.newBuilder().setGetStatus(GetStatus.getDefaultInstance()))) == Error.Code.RESOURCE_EXHAUSTED) {
                    limited++;
                }
            }
            assertThat(limited).isGreaterThan(100);
        }
    }
}
