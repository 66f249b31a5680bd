package io.vmc.engine.internal.rtp;

import io.vmc.engine.internal.media.AudioCodec;

/**
 * ITU-T G.107 E-model, reduced to what an endpoint can measure: one-way delay, random packet loss
 * and the codec's equipment impairment (Ie) and packet-loss robustness (Bpl, ITU-T G.113 App. I).
 */
public final class EModel {
    private EModel() {
    }

    /** R factor for the given one-way mouth-to-ear delay (ms) and loss percentage. */
    public static double rFactor(AudioCodec codec, double oneWayDelayMs, double lossPercent) {
        double ie = 0;
        double bpl = switch (codec) {
            case PCMU, PCMA -> 25.1; // G.711 with PLC
            case G722 -> 20.0;
            case OPUS -> 20.0;
        };
        double r0 = 93.2;
        double d = Math.max(0, oneWayDelayMs);
        double id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
        double ppl = Math.max(0, Math.min(100, lossPercent));
        double ieEff = ie + (95 - ie) * ppl / (ppl + bpl);
        return r0 - id - ieEff;
    }

    /** MOS-CQE from R (G.107 Annex B). */
    public static double mos(double r) {
        if (r <= 0) return 1.0;
        if (r >= 100) return 4.5;
        return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
    }
}
