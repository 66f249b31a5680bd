package io.vmc.engine.internal;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.SessionState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The engine's Prometheus metrics, in a registry of its own (two engines in one JVM do not mix).
 * Every label has a small fixed set of values: there is no label per call or per peer, so a fleet
 * of thousands of engines stays cheap to scrape; what one call was goes into its
 * {@link CallDetailRecord}. The names, types and labels are documented in the admin guide
 * ("Monitoring"); change both together.
 *
 * <p>Counters are fed by {@link CallTracker} (as increments); gauges are read at scrape time from
 * the live calls and the agent connection.
 */
public final class EngineMetrics implements CallTracker.Listener {
    /** The modes of {@code vmc_engine_mode}: OPTIMIZED while an agent is connected. */
    static final List<String> MODES = List.of("OPTIMIZED", "FALLBACK");
    /** States of calls in progress (CLOSED calls are not in progress). */
    static final List<SessionState.State> LIVE_STATES = List.of(SessionState.State.NEW, SessionState.State.CONNECTING,
            SessionState.State.CONNECTED, SessionState.State.ON_HOLD, SessionState.State.DISCONNECTED, SessionState.State.FAILED);
    /** Candidate types (RFC 8839) a selected pair can have, and "none" before one is selected or for plain RTP. */
    static final Set<String> CANDIDATE_TYPES = Set.of("host", "srflx", "prflx", "relay");
    /** E-model MOS buckets: 4.3 and up is "very satisfied", 3.6 "some users dissatisfied", under 3.1 "many". */
    static final double[] MOS_BUCKETS = {1.0, 2.0, 2.5, 3.0, 3.5, 3.8, 4.0, 4.2, 4.4};
    static final double[] DURATION_BUCKETS = {10, 30, 60, 180, 600, 1800, 3600, 7200};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter calls;
    private final Counter failures;
    private final Counter packets;
    private final Counter bytes;
    private final Counter lost;
    private final Counter dropped;
    private final Histogram mos;
    private final Histogram duration;
    private volatile boolean agentConnected;

    /**
     * @param software the engine's software string ({@code vmc-engine/0.1.0}); its version goes into build info
     * @param live the calls in progress, read at scrape time
     */
    public EngineMetrics(String software, Supplier<List<CallTracker.LiveCall>> live) {
        Info build = Info.builder().name("vmc_engine_build_info").help("The engine's version (always 1).")
                .labelNames("version", "software").register(registry);
        build.setLabelValues(version(software), software);
        GaugeWithCallback.builder().name("vmc_engine_mode")
                .help("1 for the mode the engine serves its VM in: OPTIMIZED while agentd is connected, FALLBACK otherwise.")
                .labelNames("mode")
                .callback(cb -> {
                    boolean up = agentConnected;
                    cb.call(up ? 1 : 0, "OPTIMIZED");
                    cb.call(up ? 0 : 1, "FALLBACK");
                }).register(registry);
        GaugeWithCallback.builder().name("vmc_engine_active_calls").help("Calls in progress, by state.")
                .labelNames("state")
                .callback(cb -> {
                    Map<SessionState.State, Integer> n = new HashMap<>();
                    for (CallTracker.LiveCall c : live.get()) n.merge(c.state(), 1, Integer::sum);
                    for (SessionState.State s : LIVE_STATES) cb.call(n.getOrDefault(s, 0), s.name());
                }).register(registry);
        GaugeWithCallback.builder().name("vmc_engine_active_streams")
                .help("Media streams of calls in progress, by the candidate types of their selected ICE pair (relay: through TURN).")
                .labelNames("kind", "local_candidate", "remote_candidate")
                .callback(cb -> {
                    Map<List<String>, Integer> n = new HashMap<>();
                    for (CallTracker.LiveCall c : live.get()) {
                        for (CallTracker.LiveStream s : c.streams()) {
                            n.merge(List.of(kind(s.kind()), candidate(s.localCandidate()), candidate(s.remoteCandidate())), 1, Integer::sum);
                        }
                    }
                    n.forEach((l, v) -> cb.call(v, l.toArray(String[]::new)));
                }).register(registry);
        calls = Counter.builder().name("vmc_engine_calls_total").help("Ended calls, by outcome.")
                .labelNames("outcome").withoutExemplars().register(registry);
        for (CallDetailRecord.Outcome o : CallDetailRecord.Outcome.values()) calls.initLabelValues(o.label());
        failures = Counter.builder().name("vmc_engine_failures_total")
                .help("Failures in calls, by reason (one event counts once, whether or not it ended the call).")
                .labelNames("reason").withoutExemplars().register(registry);
        for (Failure f : Failure.values()) failures.initLabelValues(f.label());
        packets = Counter.builder().name("vmc_engine_media_packets_total").help("RTP packets sent and received.")
                .labelNames("kind", "direction").withoutExemplars().register(registry);
        bytes = Counter.builder().name("vmc_engine_media_bytes_total").help("RTP payload and header bytes sent and received.")
                .unit(Unit.BYTES).labelNames("kind", "direction").withoutExemplars().register(registry);
        lost = Counter.builder().name("vmc_engine_media_packets_lost_total").help("RTP packets of the peers' streams that never arrived.")
                .labelNames("kind").withoutExemplars().register(registry);
        dropped = Counter.builder().name("vmc_engine_dropped_packets_total")
                .help("Received packets the engine refused (failed SRTP authentication, wrong SSRC, bad length, untrusted source...).")
                .labelNames("kind", "reason").withoutExemplars().register(registry);
        for (MediaKind k : List.of(MediaKind.AUDIO, MediaKind.VIDEO)) {
            packets.initLabelValues(kind(k), "sent");
            packets.initLabelValues(kind(k), "received");
            bytes.initLabelValues(kind(k), "sent");
            bytes.initLabelValues(kind(k), "received");
            lost.initLabelValues(kind(k));
            for (String reason : CallTracker.dropReasons()) dropped.initLabelValues(kind(k), reason);
        }
        mos = Histogram.builder().name("vmc_engine_call_mos")
                .help("Each ended call's audio quality: mean ITU-T G.107 E-model MOS (1-4.5) while audio was received.")
                .classicOnly().classicUpperBounds(MOS_BUCKETS).withoutExemplars().register(registry);
        duration = Histogram.builder().name("vmc_engine_call_duration_seconds").help("Each ended call's length.")
                .unit(Unit.SECONDS).classicOnly().classicUpperBounds(DURATION_BUCKETS).withoutExemplars().register(registry);
    }

    /** The registry to serve (only this engine's metrics: no JVM metrics). */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** Whether agentd is connected over the VMC channel (the VM's calls are OPTIMIZED). */
    public void agentConnected(boolean connected) {
        agentConnected = connected;
    }

    @Override
    public void media(MediaKind kind, long packetsSent, long bytesSent, long packetsReceived, long bytesReceived, long packetsLost) {
        String k = kind(kind);
        if (packetsSent > 0) packets.labelValues(k, "sent").inc(packetsSent);
        if (bytesSent > 0) bytes.labelValues(k, "sent").inc(bytesSent);
        if (packetsReceived > 0) packets.labelValues(k, "received").inc(packetsReceived);
        if (bytesReceived > 0) bytes.labelValues(k, "received").inc(bytesReceived);
        if (packetsLost > 0) lost.labelValues(k).inc(packetsLost);
    }

    @Override
    public void dropped(MediaKind kind, String reason, long n) {
        dropped.labelValues(kind(kind), reason).inc(n);
    }

    @Override
    public void failure(Failure f) {
        failures.labelValues(f.label()).inc();
    }

    @Override
    public void ended(CallDetailRecord r) {
        calls.labelValues(r.outcome().label()).inc();
        duration.observe(r.durationSeconds());
        if (r.audio() != null && !Double.isNaN(r.audio().mos())) mos.observe(r.audio().mos());
    }

    /** The Prometheus text format (0.0.4) of everything in the registry. */
    public String text() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String kind(MediaKind k) {
        return k == MediaKind.VIDEO ? "video" : "audio";
    }

    private static String candidate(String type) {
        return CANDIDATE_TYPES.contains(type) ? type : "none";
    }

    /** "vmc-engine/0.1.0" -> "0.1.0"; a string without a slash is its own version. */
    static String version(String software) {
        int slash = software.indexOf('/');
        String v = slash < 0 ? software : software.substring(slash + 1);
        int space = v.indexOf(' ');
        return space < 0 ? v : v.substring(0, space);
    }
}
