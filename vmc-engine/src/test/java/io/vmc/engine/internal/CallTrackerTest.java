package io.vmc.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SessionStats;
import io.vmc.transport.proto.StreamStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CallTrackerTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
    private final Recorder listener = new Recorder();
    private final List<CallDetailRecord> records = new ArrayList<>();
    private final CallTracker tracker = new CallTracker(listener, records::add, clock, "OPTIMIZED");

    @Test
    void countsIncrementsAndKeepsTotalsAcrossAFlowRestart() {
        tracker.started("s1", "app#1");
        tracker.sample("s1", stats(audio(100, 16000, 90, 14400, 2, 4.3)), Map.of("authFailed", 0L));
        tracker.sample("s1", stats(audio(150, 24000, 140, 22400, 3, 4.1)), Map.of("authFailed", 4L, "untrustedSource", 1L));
        // new keys: the flow was rebuilt and its counters start again
        tracker.sample("s1", stats(audio(20, 3200, 10, 1600, 0, 4.4)), Map.of("authFailed", 1L));

        assertThat(listener.sum(MediaKind.AUDIO, 0)).isEqualTo(170); // 100 + 50 + 20 packets sent
        assertThat(listener.sum(MediaKind.AUDIO, 1)).isEqualTo(27200);
        assertThat(listener.sum(MediaKind.AUDIO, 2)).isEqualTo(150);
        assertThat(listener.sum(MediaKind.AUDIO, 4)).isEqualTo(3);
        assertThat(listener.drops).containsExactlyInAnyOrder("audio auth_failed 4", "audio untrusted_source 1", "audio auth_failed 1");

        clock.advance(Duration.ofSeconds(30));
        CallDetailRecord r = tracker.ended("s1", stats(audio(30, 4800, 20, 3200, 0, 4.4)), Map.of(), "closed by request").orElseThrow();
        assertThat(r.audio().packetsSent()).isEqualTo(180);
        assertThat(r.audio().packetsReceived()).isEqualTo(160);
        assertThat(r.audio().packetsLost()).isEqualTo(3);
        assertThat(r.audio().mos()).isCloseTo((4.3 + 4.1 + 4.4 + 4.4) / 4, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(r.audio().mosMin()).isEqualTo(4.1);
        assertThat(r.durationSeconds()).isEqualTo(30.0);
        assertThat(tracker.ended("s1", null, null, "again")).isEmpty(); // once only
        assertThat(records).containsExactly(r);
        assertThat(listener.ended).containsExactly(r);
    }

    @Test
    void outcomes() {
        tracker.started("ok", "a");
        tracker.state("ok", SessionState.State.CONNECTING, "offer created");
        clock.advance(Duration.ofSeconds(2));
        tracker.state("ok", SessionState.State.CONNECTED, "ICE selected 127.0.0.1:5000");
        tracker.failure("ok", Failure.TURN); // not fatal: the call went on
        tracker.state("ok", SessionState.State.CLOSED, "closed by request");
        CallDetailRecord ok = tracker.ended("ok", null, null, "closed by request").orElseThrow();
        assertThat(ok.outcome()).isEqualTo(CallDetailRecord.Outcome.COMPLETED);
        assertThat(ok.connected()).isEqualTo(Instant.parse("2026-12-02T10:00:02Z"));
        assertThat(ok.failure()).isNull();
        assertThat(ok.failures()).containsExactly(Failure.TURN);
        assertThat(ok.reason()).isEqualTo("closed by request");

        tracker.started("bad", "a");
        tracker.failure("bad", Failure.ICE);
        tracker.state("bad", SessionState.State.FAILED, "ICE failed: no pair");
        tracker.state("bad", SessionState.State.CLOSED, "closed by request");
        CallDetailRecord bad = tracker.ended("bad", null, null, "closed by request").orElseThrow();
        assertThat(bad.outcome()).isEqualTo(CallDetailRecord.Outcome.FAILED);
        assertThat(bad.failure()).isEqualTo(Failure.ICE);
        assertThat(bad.reason()).isEqualTo("ICE failed: no pair");
        assertThat(bad.audio()).isNull();

        tracker.started("never", "a");
        assertThat(tracker.ended("never", null, null, "app disconnected").orElseThrow().outcome())
                .isEqualTo(CallDetailRecord.Outcome.NOT_CONNECTED);

        tracker.failure("not-yet-registered", Failure.POLICY); // refused while being created: counted, no record
        assertThat(listener.failures).containsExactly(Failure.TURN, Failure.ICE, Failure.POLICY);
        assertThat(records).hasSize(3);
    }

    @Test
    void liveCallsForGauges() {
        tracker.started("a", "x");
        tracker.started("b", "x");
        tracker.state("a", SessionState.State.CONNECTED, "");
        tracker.sample("a", stats(audio(1, 1, 1, 1, 0, 4.4).toBuilder().setLocalCandidateType("relay").setRemoteCandidateType("host").build(),
                StreamStats.newBuilder().setKind(MediaKind.VIDEO).setCodec("VP8").setLocalCandidateType("host").build()), Map.of());
        assertThat(tracker.live()).containsExactlyInAnyOrder(
                new CallTracker.LiveCall(SessionState.State.CONNECTED, List.of(
                        new CallTracker.LiveStream(MediaKind.AUDIO, "relay", "host"),
                        new CallTracker.LiveStream(MediaKind.VIDEO, "host", ""))),
                new CallTracker.LiveCall(SessionState.State.NEW, List.of()));
        tracker.ended("a", null, null, "");
        assertThat(tracker.live()).hasSize(1);
    }

    @Test
    void theRecordIsOneLineOfJson() {
        tracker.started("s00000000000000ab", "app#1 (pid 42, uid 1000) \"quoted\"\n");
        tracker.state("s00000000000000ab", SessionState.State.CONNECTED, "");
        tracker.sample("s00000000000000ab", stats(audio(50, 8000, 50, 8000, 1, 4.2).toBuilder()
                .setJitterMs(3).setRttMs(12).setLocalCandidateType("host").setRemoteCandidateType("srflx").build()), Map.of());
        clock.advance(Duration.ofMillis(12_345));
        String line = tracker.ended("s00000000000000ab", null, null, "closed by request").orElseThrow().toJson();
        assertThat(line).doesNotContain("\n");
        JsonObject o = StrictJson.object(line);
        assertThat(o.get("record").getAsString()).isEqualTo("vmc.call.v1");
        assertThat(o.get("call_id").getAsString()).isEqualTo("s00000000000000ab");
        assertThat(o.get("app").getAsString()).isEqualTo("app#1 (pid 42, uid 1000) \"quoted\"\n");
        assertThat(o.get("start").getAsString()).isEqualTo("2026-12-02T10:00:00Z");
        assertThat(o.get("end").getAsString()).isEqualTo("2026-12-02T10:00:12.345Z");
        assertThat(o.get("duration_s").getAsDouble()).isEqualTo(12.345);
        assertThat(o.get("outcome").getAsString()).isEqualTo("completed");
        assertThat(o.get("failure").isJsonNull()).isTrue();
        assertThat(o.get("mode").getAsString()).isEqualTo("OPTIMIZED");
        JsonObject a = o.getAsJsonObject("audio");
        assertThat(a.get("codec").getAsString()).isEqualTo("opus");
        assertThat(a.get("local_candidate").getAsString()).isEqualTo("host");
        assertThat(a.get("remote_candidate").getAsString()).isEqualTo("srflx");
        assertThat(a.get("packets_received").getAsLong()).isEqualTo(50);
        assertThat(a.get("loss_percent").getAsDouble()).isEqualTo(1.96);
        assertThat(a.get("jitter_ms").getAsDouble()).isEqualTo(3.0);
        assertThat(a.get("rtt_ms").getAsDouble()).isEqualTo(12.0);
        assertThat(a.get("mos").getAsDouble()).isEqualTo(4.2);
        assertThat(o.get("video").isJsonNull()).isTrue();
    }

    @Test
    void agentdsInVmMediaCoreRecordsFallbackCalls() {
        CallTracker inVm = new CallTracker(listener, records::add, clock, "FALLBACK");
        inVm.started("s1", "app");
        assertThat(inVm.ended("s1", null, null, "closed by request").orElseThrow().mode()).isEqualTo("FALLBACK");
    }

    @Test
    void theAdminGuideShowsTheRecordAsItIs() throws Exception {
        String guide = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/admin-guide.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("### Call-detail records.*?```json\n(.*?)\n```", java.util.regex.Pattern.DOTALL)
                .matcher(guide);
        assertThat(m.find()).as("the guide's example record").isTrue();
        JsonObject example = StrictJson.object(m.group(1));
        tracker.started("s1", "app");
        tracker.sample("s1", stats(audio(1, 1, 1, 1, 0, 4.4)), Map.of());
        JsonObject real = StrictJson.object(tracker.ended("s1", null, null, "closed by request").orElseThrow().toJson());
        assertThat(example.keySet()).isEqualTo(real.keySet());
        assertThat(example.getAsJsonObject("audio").keySet()).isEqualTo(real.getAsJsonObject("audio").keySet());
        for (String field : real.keySet()) {
            assertThat(guide).as("the guide explains " + field).containsPattern("\\| `" + field + "`|`" + field + "`");
        }
        for (String field : real.getAsJsonObject("audio").keySet()) {
            assertThat(guide).as("the guide explains audio." + field).contains("`" + field + "`");
        }
    }

    private static SessionStats stats(StreamStats... streams) {
        return SessionStats.newBuilder().addAllStreams(List.of(streams)).build();
    }

    private static StreamStats audio(long ps, long bs, long pr, long br, long lost, double mos) {
        return StreamStats.newBuilder().setKind(MediaKind.AUDIO).setCodec("opus").setEncrypted(true)
                .setPacketsSent(ps).setBytesSent(bs).setPacketsReceived(pr).setBytesReceived(br).setPacketsLost(lost)
                .setMos(mos).build();
    }

    private static final class Recorder implements CallTracker.Listener {
        final List<Object[]> media = new ArrayList<>();
        final List<String> drops = new ArrayList<>();
        final List<Failure> failures = new ArrayList<>();
        final List<CallDetailRecord> ended = new ArrayList<>();

        @Override
        public void media(MediaKind kind, long ps, long bs, long pr, long br, long lost) {
            media.add(new Object[] {kind, new long[] {ps, bs, pr, br, lost}});
        }

        @Override
        public void dropped(MediaKind kind, String reason, long packets) {
            drops.add(kind.name().toLowerCase(java.util.Locale.ROOT) + " " + reason + " " + packets);
        }

        @Override
        public void failure(Failure f) {
            failures.add(f);
        }

        @Override
        public void ended(CallDetailRecord r) {
            ended.add(r);
        }

        long sum(MediaKind kind, int field) {
            long n = 0;
            for (Object[] m : media) {
                if (m[0] == kind) n += ((long[]) m[1])[field];
            }
            return n;
        }
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
