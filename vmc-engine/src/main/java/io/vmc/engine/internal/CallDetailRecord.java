package io.vmc.engine.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one ended call was, written as one JSON line ({@link #toJson()}) at call end: the per-call
 * detail that the fleet metrics leave out on purpose (no label per call). Times are UTC.
 *
 * @param callId the engine's session id
 * @param app the app that asked for the call, as agentd names it (text from the guest, escaped)
 * @param connected when media first connected, or null if it never did
 * @param failure the category of the failure that ended the call (outcome {@code failed}), or null
 * @param reason why the call ended: the close reason, or the failure's text
 * @param failures every failure seen during the call, in order (fatal or not)
 * @param mode OPTIMIZED for the thin client's engine, FALLBACK for agentd's media core in the VM
 * @param audio the audio stream, or null if media was never set up
 * @param video the video stream, or null for an audio-only call
 */
public record CallDetailRecord(String callId, String app, Instant start, Instant connected, Instant end,
        Outcome outcome, Failure failure, String reason, List<Failure> failures, String mode,
        Stream audio, Stream video) {

    /** Schema name and version of the JSON line. */
    public static final String RECORD_TYPE = "vmc.call.v1";

    public CallDetailRecord {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(outcome, "outcome");
        failures = List.copyOf(failures);
    }

    /** How a call ended, as {@code vmc_engine_calls_total{outcome}} counts it. */
    public enum Outcome {
        /** Media connected, and the call ended without a failure. */
        COMPLETED("completed"),
        /** The call was in state FAILED when it ended. */
        FAILED("failed"),
        /** Closed before media ever connected (not answered, cancelled), without a failure. */
        NOT_CONNECTED("not_connected");

        private final String label;

        Outcome(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One media stream over the whole call. Counters are totals over the call (they survive the
     * flow being rebuilt with new keys); jitter, RTT and MOS are means of the per-second samples.
     *
     * @param localCandidate the selected pair's local candidate type at the end (host, srflx,
     *     prflx, relay), empty if none was selected
     * @param jitterMs mean interarrival jitter of what we received; NaN without samples
     * @param rttMs mean round-trip time; NaN without samples
     * @param mos mean E-model MOS while audio was received; NaN for video or without audio
     * @param mosMin lowest per-second MOS; NaN like {@code mos}
     */
    public record Stream(String codec, boolean encrypted, String localCandidate, String remoteCandidate,
            long packetsSent, long bytesSent, long packetsReceived, long bytesReceived, long packetsLost,
            double jitterMs, double rttMs, double mos, double mosMin) {

        /** Lost packets as a share of those expected (received + lost), in percent; 0 when none were expected. */
        public double lossPercent() {
            long expected = packetsReceived + packetsLost;
            return expected == 0 ? 0 : 100.0 * packetsLost / expected;
        }

        JsonObjectWriter json() {
            return new JsonObjectWriter().put("codec", codec).put("encrypted", encrypted)
                    .put("local_candidate", localCandidate).put("remote_candidate", remoteCandidate)
                    .put("packets_sent", packetsSent).put("bytes_sent", bytesSent)
                    .put("packets_received", packetsReceived).put("bytes_received", bytesReceived)
                    .put("packets_lost", packetsLost).put("loss_percent", round(lossPercent(), 2))
                    .put("jitter_ms", round(jitterMs, 1)).put("rtt_ms", round(rttMs, 1))
                    .put("mos", round(mos, 2)).put("mos_min", round(mosMin, 2));
        }
    }

    /** Seconds from the session's creation to its end. */
    public double durationSeconds() {
        return Duration.between(start, end).toMillis() / 1000.0;
    }

    /** The record as one line of JSON (no line end). */
    public String toJson() {
        return new JsonObjectWriter().put("record", RECORD_TYPE).put("call_id", callId).put("app", app)
                .put("start", start.toString()).put("connected", connected == null ? null : connected.toString())
                .put("end", end.toString()).put("duration_s", round(durationSeconds(), 3))
                .put("outcome", outcome.label()).put("failure", failure == null ? null : failure.label())
                .put("reason", reason).put("failures", failures.stream().map(Failure::label).toList())
                .put("mode", mode)
                .put("audio", audio == null ? null : audio.json()).put("video", video == null ? null : video.json())
                .toString();
    }

    private static double round(double v, int decimals) {
        if (!Double.isFinite(v)) return v;
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }
}
