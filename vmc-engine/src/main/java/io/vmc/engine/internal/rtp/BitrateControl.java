package io.vmc.engine.internal.rtp;

import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * The encoder's target bitrate follows the loss the peer reports about our stream
 * ({@link LossBasedBitrate}), the video stream's feature. Steps under 3% are not applied: libvpx
 * reconfigures on every change.
 */
public final class BitrateControl implements RtpFeature {
    /** Changes smaller than this (percent of the applied target) are skipped. */
    static final int MIN_STEP_PERCENT = 3;

    private final LossBasedBitrate bitrate;
    private final BooleanSupplier active;
    private final IntConsumer apply;
    private volatile int appliedKbps;

    /**
     * @param active whether our encoder sends now (no adaptation on hold or without a sender)
     * @param apply sets the encoder's target (kbit/s)
     */
    public BitrateControl(int floorKbps, int ceilingKbps, BooleanSupplier active, IntConsumer apply, long nowNanos) {
        this.bitrate = new LossBasedBitrate(Math.min(floorKbps, ceilingKbps), ceilingKbps, ceilingKbps, nowNanos);
        this.active = active;
        this.apply = apply;
        this.appliedKbps = ceilingKbps;
    }

    @Override
    public void onRtcp(RtcpPackets.Parsed r, RtcpPackets.ReportBlock aboutUs, long nowNanos) {
        if (aboutUs == null || !active.getAsBoolean()) return;
        int kbps;
        synchronized (bitrate) {
            kbps = bitrate.onReport(aboutUs.fractionLost(), nowNanos);
            if (Math.abs(kbps - appliedKbps) * 100 < appliedKbps * MIN_STEP_PERCENT) return;
            appliedKbps = kbps;
        }
        apply.accept(kbps);
    }

    /** The target last applied (kbit/s). */
    public int targetKbps() {
        return appliedKbps;
    }
}
