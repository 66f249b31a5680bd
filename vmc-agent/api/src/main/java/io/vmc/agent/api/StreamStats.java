package io.vmc.agent.api;

import java.util.Objects;

/**
 * Statistics of one media stream of a session.
 *
 * <pre>{@code
 * for (StreamStats s : call.stats().streams()) {
 *     System.out.printf("%s %s loss=%.1f%% jitter=%.1fms MOS=%.2f%n",
 *             s.kind(), s.codec(), s.fractionLost() * 100, s.jitterMs(), s.mos());
 * }
 * }</pre>
 */
public final class StreamStats {
    private final MediaKind kind;
    private final String codec;
    private final boolean encrypted;
    private final long packetsSent;
    private final long bytesSent;
    private final long packetsReceived;
    private final long bytesReceived;
    private final long packetsLost;
    private final double fractionLost;
    private final double jitterMs;
    private final double rttMs;
    private final double mos;
    private final String localAddress;
    private final String remoteAddress;
    private final double audioLevelDbov;
    private final long framesDecoded;

    private StreamStats(Builder b) {
        kind = b.kind;
        codec = b.codec;
        encrypted = b.encrypted;
        packetsSent = b.packetsSent;
        bytesSent = b.bytesSent;
        packetsReceived = b.packetsReceived;
        bytesReceived = b.bytesReceived;
        packetsLost = b.packetsLost;
        fractionLost = b.fractionLost;
        jitterMs = b.jitterMs;
        rttMs = b.rttMs;
        mos = b.mos;
        localAddress = b.localAddress;
        remoteAddress = b.remoteAddress;
        audioLevelDbov = b.audioLevelDbov;
        framesDecoded = b.framesDecoded;
    }

    public static Builder builder() {
        return new Builder();
    }

    public MediaKind kind() { return kind; }
    /** Negotiated codec, e.g. "opus"; empty before negotiation. */
    public String codec() { return codec; }
    public boolean encrypted() { return encrypted; }
    public long packetsSent() { return packetsSent; }
    public long bytesSent() { return bytesSent; }
    public long packetsReceived() { return packetsReceived; }
    public long bytesReceived() { return bytesReceived; }
    public long packetsLost() { return packetsLost; }
    /** 0..1 */
    public double fractionLost() { return fractionLost; }
    public double jitterMs() { return jitterMs; }
    public double rttMs() { return rttMs; }
    /** ITU-T G.107 E-model estimate, 1..4.5; 0 when unknown. */
    public double mos() { return mos; }
    /** Local end of the selected candidate pair, "ip:port"; may be empty. */
    public String localAddress() { return localAddress; }
    public String remoteAddress() { return remoteAddress; }
    /** Level of the received audio in dBov (0 = full scale); 0 when unknown. */
    public double audioLevelDbov() { return audioLevelDbov; }
    /** Video: pictures decoded from the received stream (0 for audio). */
    public long framesDecoded() { return framesDecoded; }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamStats s && s.kind == kind && s.codec.equals(codec) && s.encrypted == encrypted
                && s.packetsSent == packetsSent && s.bytesSent == bytesSent && s.packetsReceived == packetsReceived
                && s.bytesReceived == bytesReceived && s.packetsLost == packetsLost
                && Double.compare(s.fractionLost, fractionLost) == 0 && Double.compare(s.jitterMs, jitterMs) == 0
                && Double.compare(s.rttMs, rttMs) == 0 && Double.compare(s.mos, mos) == 0
                && s.localAddress.equals(localAddress) && s.remoteAddress.equals(remoteAddress)
                && Double.compare(s.audioLevelDbov, audioLevelDbov) == 0 && s.framesDecoded == framesDecoded;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, codec, packetsSent, packetsReceived, bytesSent, bytesReceived);
    }

    @Override
    public String toString() {
        return kind + " " + codec + (encrypted ? " srtp" : " rtp") + " sent=" + packetsSent + "p/" + bytesSent
                + "B recv=" + packetsReceived + "p/" + bytesReceived + "B lost=" + packetsLost
                + " jitter=" + jitterMs + "ms rtt=" + rttMs + "ms mos=" + mos
                + (kind == MediaKind.VIDEO ? " frames_decoded=" + framesDecoded : "");
    }

    /** Builds {@link StreamStats}, e.g. for tests of an app; counters must not be negative. */
    public static final class Builder {
        private MediaKind kind = MediaKind.AUDIO;
        private String codec = "";
        private boolean encrypted;
        private long packetsSent;
        private long bytesSent;
        private long packetsReceived;
        private long bytesReceived;
        private long packetsLost;
        private double fractionLost;
        private double jitterMs;
        private double rttMs;
        private double mos;
        private String localAddress = "";
        private String remoteAddress = "";
        private double audioLevelDbov;
        private long framesDecoded;

        private Builder() {}

        public Builder kind(MediaKind kind) { this.kind = Objects.requireNonNull(kind, "kind must not be null"); return this; }
        public Builder codec(String codec) { this.codec = Objects.requireNonNull(codec, "codec must not be null"); return this; }
        public Builder encrypted(boolean encrypted) { this.encrypted = encrypted; return this; }
        public Builder packetsSent(long v) { this.packetsSent = nonNegative("packetsSent", v); return this; }
        public Builder bytesSent(long v) { this.bytesSent = nonNegative("bytesSent", v); return this; }
        public Builder packetsReceived(long v) { this.packetsReceived = nonNegative("packetsReceived", v); return this; }
        public Builder bytesReceived(long v) { this.bytesReceived = nonNegative("bytesReceived", v); return this; }
        public Builder packetsLost(long v) { this.packetsLost = v; return this; } // RFC 3550: may be negative (duplicates)
        public Builder fractionLost(double v) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("fractionLost must be in 0..1, was " + v);
            }
            this.fractionLost = v;
            return this;
        }
        public Builder jitterMs(double v) { this.jitterMs = nonNegative("jitterMs", v); return this; }
        public Builder rttMs(double v) { this.rttMs = nonNegative("rttMs", v); return this; }
        public Builder mos(double v) {
            if (!(v >= 0 && v <= 5)) {
                throw new IllegalArgumentException("mos must be in 0..5, was " + v);
            }
            this.mos = v;
            return this;
        }
        public Builder localAddress(String v) { this.localAddress = Objects.requireNonNull(v, "localAddress must not be null"); return this; }
        public Builder remoteAddress(String v) { this.remoteAddress = Objects.requireNonNull(v, "remoteAddress must not be null"); return this; }
        public Builder audioLevelDbov(double v) { this.audioLevelDbov = v; return this; }
        public Builder framesDecoded(long v) { this.framesDecoded = nonNegative("framesDecoded", v); return this; }

        public StreamStats build() {
            return new StreamStats(this);
        }

        private static long nonNegative(String name, long v) {
            if (v < 0) {
                throw new IllegalArgumentException(name + " must not be negative, was " + v);
            }
            return v;
        }

        private static double nonNegative(String name, double v) {
            if (!(v >= 0)) {
                throw new IllegalArgumentException(name + " must not be negative, was " + v);
            }
            return v;
        }
    }
}
