package io.vmc.agent.daemon;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vmc.engine.MetricsEndpoint;
import io.vmc.transport.proto.Mode;
import io.vmc.transport.proto.ModeReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * agentd's Prometheus metrics ({@code vmc agentd --metrics ADDR:PORT}): the VM's mode and its
 * reason, the engine's version, sessions by mode, FALLBACK entries by reason and apps connected,
 * so that an admin can ask a fleet "how many VMs are not optimized, and why". Every value comes
 * from one {@link AgentCore.Snapshot} per scrape, so a scrape never shows a mode with another
 * mode's reason. Labels have fixed small value sets (the protocol's enums).
 *
 * <p>Only {@link #start} loads this class: an agentd without {@code --metrics} never loads the
 * Prometheus client (agentd runs in every VM; its idle footprint matters).
 */
final class AgentMetrics implements MultiCollector {
    /** The modes of {@code vmc_agentd_mode}. */
    static final List<Mode> MODES = List.of(Mode.OPTIMIZED, Mode.FALLBACK);
    /** The reasons of {@code vmc_agentd_mode_reason} and {@code vmc_agentd_fallback_entries_total}. */
    static final List<ModeReason> REASONS = List.of(ModeReason.ENGINE_CONNECTED, ModeReason.NO_ENGINE, ModeReason.ENGINE_INCOMPATIBLE,
            ModeReason.POLICY_FORBIDS, ModeReason.ENGINE_LOST, ModeReason.NO_CHANNEL);
    /** Backend names of {@link AgentCore.Snapshot#sessionsByBackend()} and the session mode each stands for. */
    private static final List<Map.Entry<String, String>> SESSION_MODES = List.of(
            Map.entry("engine", "OPTIMIZED"), Map.entry("fallback", "FALLBACK"), Map.entry("none", "NONE"));

    private final Supplier<AgentCore.Snapshot> source;
    private final String software;
    private final String version;

    AgentMetrics(Supplier<AgentCore.Snapshot> source, String software, String version) {
        this.source = source;
        this.software = software;
        this.version = version;
    }

    /** Serves {@code core}'s metrics at {@code where}; closing the result stops the server. */
    static HTTPServer start(MetricsEndpoint where, AgentCore core) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new AgentMetrics(core::snapshot, AgentDaemon.SOFTWARE, AgentDaemon.VERSION));
        return where.start(registry);
    }

    @Override
    public MetricSnapshots collect() {
        AgentCore.Snapshot s = source.get();
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(InfoSnapshot.builder().name("vmc_agentd_build").help("agentd's version (always 1).")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                        .labels(Labels.of("software", software, "version", version)).build()).build());
        GaugeSnapshot.Builder mode = GaugeSnapshot.builder().name("vmc_agentd_mode")
                .help("1 for the VM's current mode: OPTIMIZED (media on the thin client's engine) or FALLBACK.");
        for (Mode m : MODES) mode.dataPoint(gauge(s.mode() == m ? 1 : 0, "mode", m.name()));
        out.add(mode.build());
        GaugeSnapshot.Builder reason = GaugeSnapshot.builder().name("vmc_agentd_mode_reason")
                .help("1 for the reason of the current mode (ENGINE_CONNECTED when OPTIMIZED).");
        for (ModeReason r : REASONS) reason.dataPoint(gauge(s.reason() == r ? 1 : 0, "reason", r.name()));
        out.add(reason.build());
        InfoSnapshot.Builder engine = InfoSnapshot.builder().name("vmc_agentd_engine")
                .help("The connected engine's software and protocol version (no sample while no engine is connected).");
        if (!s.engineSoftware().isEmpty()) {
            engine.dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("software", s.engineSoftware(),
                    "protocol_version", Integer.toString(s.protocolVersion()))).build());
        }
        out.add(engine.build());
        GaugeSnapshot.Builder sessions = GaugeSnapshot.builder().name("vmc_agentd_sessions")
                .help("Sessions, by where their media runs: OPTIMIZED (engine), FALLBACK (in the VM), NONE (failed, no media).");
        for (Map.Entry<String, String> b : SESSION_MODES) {
            sessions.dataPoint(gauge(s.sessionsByBackend().getOrDefault(b.getKey(), 0), "mode", b.getValue()));
        }
        out.add(sessions.build());
        CounterSnapshot.Builder entries = CounterSnapshot.builder().name("vmc_agentd_fallback_entries")
                .help("Times the VM went into FALLBACK, by reason (agentd's start counts when it starts in FALLBACK).");
        for (ModeReason r : REASONS) {
            if (r == ModeReason.ENGINE_CONNECTED) continue;
            entries.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                    .value(s.fallbackEntries().getOrDefault(r, 0L)).labels(Labels.of("reason", r.name())).build());
        }
        out.add(entries.build());
        out.add(CounterSnapshot.builder().name("vmc_agentd_session_moves").help("Sessions moved between the engine and the fallback.")
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(s.moves()).build()).build());
        out.add(GaugeSnapshot.builder().name("vmc_agentd_apps_connected").help("Apps (softphones) connected to agentd's API.")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(s.apps()).build()).build());
        return new MetricSnapshots(out);
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot gauge(double value, String label, String labelValue) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(label, labelValue)).build();
    }
}
