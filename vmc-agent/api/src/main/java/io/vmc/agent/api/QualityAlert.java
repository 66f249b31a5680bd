package io.vmc.agent.api;

import java.util.Objects;

/**
 * A change in a call's quality worth showing at once (a "poor connection" badge), pushed by the
 * media engine to {@link MediaSessionListener#onQualityAlert} whatever the stats interval.
 */
public final class QualityAlert {

    /** What changed. */
    public enum Kind {
        /** The estimated MOS fell below 3.5; {@link #value()} is the MOS. */
        MOS_LOW,
        /** Packet loss went above 5 %; {@link #value()} is the fraction lost (0..1). */
        LOSS_HIGH,
        /** The media now goes through a TURN relay (longer path, more delay). */
        RELAYED,
        /** Back above the thresholds and off the relay; earlier alerts are over. */
        RECOVERED
    }

    private final Kind kind;
    private final double value;
    private final String detail;

    private QualityAlert(Kind kind, double value, String detail) {
        this.kind = kind;
        this.value = value;
        this.detail = detail;
    }

    public static QualityAlert of(Kind kind, double value, String detail) {
        return new QualityAlert(Objects.requireNonNull(kind, "kind must not be null"), value,
                Objects.requireNonNull(detail, "detail must not be null"));
    }

    public Kind kind() {
        return kind;
    }

    /** The measured value behind the alert (see {@link Kind}); 0 where it has none. */
    public double value() {
        return value;
    }

    /** A short text for logs ("estimated MOS 3.21 is below 3.5"). */
    public String detail() {
        return detail;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QualityAlert q && q.kind == kind && Double.compare(q.value, value) == 0 && q.detail.equals(detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, value, detail);
    }

    @Override
    public String toString() {
        return "QualityAlert{" + kind + ", " + value + ", '" + detail + "'}";
    }
}
