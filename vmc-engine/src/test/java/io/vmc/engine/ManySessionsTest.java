package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several calls in one engine; one failing or closing never disturbs the others. */
class ManySessionsTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void sessionsAreIsolated() {
        try (TestEngine a = new TestEngine(440, dirA, c -> c.maxSessions(5)); TestEngine b = new TestEngine(880, dirB)) {
            List<String[]> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs(i % 2 == 0 ? "opus" : "PCMU"));
                String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs(i % 2 == 0 ? "opus" : "PCMU"));
                calls.add(new String[] {sa, sb});
            }
            // session 0: broken answer -> error for that session only
            String off0 = a.offer(calls.get(0)[0]);
            var bad = a.call(Request.newBuilder().setSetRemoteDescription(io.vmc.transport.proto.SetRemoteDescription.newBuilder()
                    .setSessionId(calls.get(0)[0]).setType(io.vmc.transport.proto.SdpType.ANSWER).setSdp("v=0\r\nm=garbage")));
            assertThat(bad.getError().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(off0).isNotEmpty();
            // sessions 1..3: real calls
            for (int i = 1; i < 4; i++) {
                String[] c = calls.get(i);
                a.setAnswer(c[0], b.answer(c[1], a.offer(c[0])));
            }
            for (int i = 1; i < 4; i++) {
                a.awaitReceived(calls.get(i)[0], 50);
            }
            // session limit: 4 open + 1 more allowed, then RESOURCE_EXHAUSTED
            a.createSession(SessionOptions.newBuilder());
            var refused = a.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true))));
            assertThat(refused.getError().getCode()).isEqualTo(Error.Code.RESOURCE_EXHAUSTED);

            // close session 2 abruptly on the far side: 1 and 3 keep flowing
            b.close(calls.get(2)[1]);
            long r1 = a.stats(calls.get(1)[0]).getPacketsReceived();
            long r3 = a.stats(calls.get(3)[0]).getPacketsReceived();
            await().atMost(Duration.ofSeconds(5)).until(() -> a.stats(calls.get(1)[0]).getPacketsReceived() > r1 + 50
                    && a.stats(calls.get(3)[0]).getPacketsReceived() > r3 + 50);
            assertThat(a.lastState(calls.get(1)[0])).isEqualTo(SessionState.State.CONNECTED);
            assertThat(a.lastState(calls.get(3)[0])).isEqualTo(SessionState.State.CONNECTED);
        }
    }
}
