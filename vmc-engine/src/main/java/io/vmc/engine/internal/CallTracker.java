package io.vmc.engine.internal;

import io.vmc.engine.internal.call.Call;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SessionStats;
import io.vmc.transport.proto.StreamStats;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Accounts for every call of one engine: turns the sessions' cumulative stats into increments for
 * the fleet counters, remembers what the call-detail record needs (start, first connect, failures,
 * per-stream totals and quality samples) and, at call end, builds the record. Knows nothing of
 * Prometheus: it reports to a {@link Listener}.
 *
 * <p>A session's counters start again at 0 when its media flow is rebuilt (new keys after a
 * re-offer); an observed value below the last one is taken as such a restart, so increments never
 * go negative and the call's totals keep what the old flow counted.
 *
 * <p>Threads: any. Each call's state is guarded by its own monitor. The listener gets increments
 * under that monitor (so they must be quick and must not call back) and ended calls outside it.
 */
public final class CallTracker {
    /** Drop reasons the counters report, as the media flows name them (video's with a "video" prefix). */
    private static final Map<String, String> DROP_REASONS = Map.of(
            "badLength", "bad_length", "wrongSsrc", "wrong_ssrc", "authFailed", "auth_failed",
            "replayed", "replayed", "unknownPayloadType", "unknown_payload_type", "rtcpInvalid", "rtcp_invalid",
            "untrustedSource", "untrusted_source");

    /** Where increments and ended calls go. Called often (every stats interval per call): keep it cheap. */
    public interface Listener {
        /** Increments since the last observation of one stream. */
        void media(MediaKind kind, long packetsSent, long bytesSent, long packetsReceived, long bytesReceived, long packetsLost);

        /** Packets the filters dropped since the last observation, by the label of {@link #dropReasons()}. */
        void dropped(MediaKind kind, String reason, long packets);

        void failure(Failure failure);

        void ended(CallDetailRecord record);
    }

    /** A call in progress, for gauges: its state and the selected candidate types of its streams. */
    public record LiveCall(SessionState.State state, List<LiveStream> streams) {}

    /** @param localCandidate host, srflx, prflx, relay, or empty before a pair is selected */
    public record LiveStream(MediaKind kind, String localCandidate, String remoteCandidate) {}

    private final Listener listener;
    private final Consumer<CallDetailRecord> records;
    private final Clock clock;
    private final String mode;
    private final Map<String, Call> calls = new ConcurrentHashMap<>();

    /** @param mode where the calls' media runs, for the records: OPTIMIZED or FALLBACK */
    public CallTracker(Listener listener, Consumer<CallDetailRecord> records, Clock clock, String mode) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.records = Objects.requireNonNull(records, "records");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** The drop-reason labels {@link Listener#dropped} may report (a bounded set). */
    public static List<String> dropReasons() {
        return DROP_REASONS.values().stream().sorted().toList();
    }

    /** A session was created for {@code app}. */
    public void started(String id, String app) {
        calls.put(id, new Call(id, app, clock.instant()));
    }

    /** A failure in session {@code id}; counted even when the session is not (or no longer) tracked. */
    public void failure(String id, Failure f) {
        listener.failure(f);
        Call c = id == null ? null : calls.get(id);
        if (c != null) {
            synchronized (c) {
                c.failures.add(f);
            }
        }
    }

    /** A session's state as its SessionState events announce it. */
    public void state(String id, SessionState.State s, String reason) {
        Call c = calls.get(id);
        if (c == null || s == SessionState.State.CLOSED) return; // closing is ended()'s business
        synchronized (c) {
            c.state = s;
            if ((s == SessionState.State.CONNECTED || s == SessionState.State.ON_HOLD) && c.connected == null) {
                c.connected = clock.instant();
            }
            if (s == SessionState.State.FAILED && c.failedReason == null) {
                c.failedReason = reason == null ? "" : reason;
                c.fatal = c.failures.isEmpty() ? null : c.failures.get(c.failures.size() - 1);
            }
        }
    }

    /** A periodic look at a session's stats and drop counters ({@code Call.counters()}). */
    public void sample(String id, SessionStats stats, Map<String, Long> counters) {
        Call c = calls.get(id);
        if (c == null) return;
        synchronized (c) {
            observe(c, stats, counters);
        }
    }

    /**
     * The session ended: takes its last stats, reports the ended call and writes its record.
     *
     * @return the record, or empty if the session was not tracked (or already ended)
     */
    public Optional<CallDetailRecord> ended(String id, SessionStats finalStats, Map<String, Long> counters, String reason) {
        Call c = calls.remove(id);
        if (c == null) return Optional.empty();
        CallDetailRecord r;
        synchronized (c) {
            observe(c, finalStats, counters);
            r = c.record(clock.instant(), reason, mode);
        }
        listener.ended(r);
        records.accept(r);
        return Optional.of(r);
    }

    /** The calls in progress, for gauges read at scrape time. */
    public List<LiveCall> live() {
        List<LiveCall> out = new ArrayList<>();
        for (Call c : calls.values()) {
            synchronized (c) {
                List<LiveStream> streams = new ArrayList<>();
                for (Tally t : c.streams.values()) {
                    if (t.seen) streams.add(new LiveStream(t.kind, t.localType, t.remoteType));
                }
                out.add(new LiveCall(c.state, streams));
            }
        }
        return out;
    }

    private void observe(Call c, SessionStats stats, Map<String, Long> counters) {
        if (stats != null) {
            for (StreamStats s : stats.getStreamsList()) {
                Tally t = c.streams.computeIfAbsent(s.getKind(), Tally::new);
                t.observe(s, listener);
            }
        }
        if (counters != null) {
            for (Map.Entry<String, Long> e : counters.entrySet()) {
                String key = e.getKey();
                boolean video = key.startsWith("video") && key.length() > 5;
                String base = video ? Character.toLowerCase(key.charAt(5)) + key.substring(6) : key;
                String label = DROP_REASONS.get(base);
                if (label == null || e.getValue() == null) continue;
                long now = e.getValue();
                long last = c.lastDrops.getOrDefault(key, 0L);
                long delta = now >= last ? now - last : now;
                c.lastDrops.put(key, now);
                if (delta > 0) listener.dropped(video ? MediaKind.VIDEO : MediaKind.AUDIO, label, delta);
            }
        }
    }

    private static long delta(long now, long last) {
        return now >= last ? now - last : now;
    }

    private static final class Call {
        final String id;
        final String app;
        final Instant start;
        Instant connected;
        SessionState.State state = SessionState.State.NEW;
        String failedReason;
        Failure fatal;
        final List<Failure> failures = new ArrayList<>();
        final Map<MediaKind, Tally> streams = new EnumMap<>(MediaKind.class);
        final Map<String, Long> lastDrops = new HashMap<>();

        Call(String id, String app, Instant start) {
            this.id = id;
            this.app = app;
            this.start = start;
        }

        CallDetailRecord record(Instant end, String closeReason, String mode) {
            boolean failed = failedReason != null; // FAILED is final until the session closes
            CallDetailRecord.Outcome outcome = failed ? CallDetailRecord.Outcome.FAILED
                    : connected != null ? CallDetailRecord.Outcome.COMPLETED : CallDetailRecord.Outcome.NOT_CONNECTED;
            Tally a = streams.get(MediaKind.AUDIO);
            Tally v = streams.get(MediaKind.VIDEO);
            return new CallDetailRecord(id, app, start, connected, end, outcome, failed ? fatal : null,
                    failed ? failedReason : closeReason, failures, mode,
                    a == null ? null : a.record(true), v == null ? null : v.record(false));
        }
    }

    /** One stream's last raw counters, its call totals and its quality samples. */
    private static final class Tally {
        final MediaKind kind;
        boolean seen;
        String codec = "";
        boolean encrypted;
        String localType = "";
        String remoteType = "";
        long lastPs, lastBs, lastPr, lastBr, lastLost;
        long ps, bs, pr, br, lost;
        double jitterSum, rttSum, mosSum;
        int jitterN, rttN, mosN;
        double mosMin = Double.NaN;

        Tally(MediaKind kind) {
            this.kind = kind;
        }

        void observe(StreamStats s, Listener listener) {
            long dPs = delta(s.getPacketsSent(), lastPs);
            long dBs = delta(s.getBytesSent(), lastBs);
            long dPr = delta(s.getPacketsReceived(), lastPr);
            long dBr = delta(s.getBytesReceived(), lastBr);
            long dLost = delta(s.getPacketsLost(), lastLost);
            lastPs = s.getPacketsSent();
            lastBs = s.getBytesSent();
            lastPr = s.getPacketsReceived();
            lastBr = s.getBytesReceived();
            lastLost = s.getPacketsLost();
            ps += dPs;
            bs += dBs;
            pr += dPr;
            br += dBr;
            lost += dLost;
            seen = true;
            codec = s.getCodec();
            encrypted = s.getEncrypted();
            if (!s.getLocalCandidateType().isEmpty()) localType = s.getLocalCandidateType();
            if (!s.getRemoteCandidateType().isEmpty()) remoteType = s.getRemoteCandidateType();
            if (dPr > 0) { // quality means something only while media arrives
                jitterSum += s.getJitterMs();
                jitterN++;
                if (s.getRttMs() > 0) {
                    rttSum += s.getRttMs();
                    rttN++;
                }
                if (kind == MediaKind.AUDIO && s.getMos() > 0) {
                    mosSum += s.getMos();
                    mosN++;
                    mosMin = Double.isNaN(mosMin) ? s.getMos() : Math.min(mosMin, s.getMos());
                }
            }
            if (dPs > 0 || dBs > 0 || dPr > 0 || dBr > 0 || dLost > 0) listener.media(kind, dPs, dBs, dPr, dBr, dLost);
        }

        CallDetailRecord.Stream record(boolean audio) {
            return new CallDetailRecord.Stream(codec, encrypted, localType, remoteType, ps, bs, pr, br, lost,
                    jitterN == 0 ? Double.NaN : jitterSum / jitterN, rttN == 0 ? Double.NaN : rttSum / rttN,
                    audio && mosN > 0 ? mosSum / mosN : Double.NaN, audio ? mosMin : Double.NaN);
        }
    }
}
