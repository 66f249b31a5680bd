package io.vmc.engine.internal.rtp;

import io.vmc.transport.proto.QualityAlert;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a session's periodic quality readings into the few alerts an app shows at once (MOS
 * below the threshold, loss above it, media through a relay) and the one that clears them. Pure:
 * the caller passes each reading; thresholds have hysteresis so a value hovering at the line
 * does not make the app's indicator flicker.
 */
public final class QualityWatch {
    /** Estimated MOS below this is "poor" (ITU-T G.107: users dissatisfied below about 3.6). */
    public static final double MOS_LOW = 3.5;
    /** Fraction of packets lost above this over a reading is a loss spike. */
    public static final double LOSS_HIGH = 0.05;
    /** A raised alert clears only once the value is this much better than the threshold. */
    static final double MOS_HYSTERESIS = 0.2;
    static final double LOSS_HYSTERESIS = 0.03;

    private boolean mosLow;
    private boolean lossHigh;
    private boolean relayed;

    /**
     * One reading; returns the alerts it raises (none while nothing changes). {@code mos} of 0
     * means "no estimate yet" and is ignored; {@code relayed} is whether either end of the
     * selected ICE pair is a relay candidate.
     */
    public List<QualityAlert> update(String sessionId, double mos, double fractionLost, boolean relayed) {
        List<QualityAlert> out = new ArrayList<>(1);
        boolean wasAlerting = alerting();
        if (mos > 0) {
            if (!mosLow && mos < MOS_LOW) {
                mosLow = true;
                out.add(alert(sessionId, QualityAlert.Kind.MOS_LOW, mos, String.format(java.util.Locale.ROOT,
                        "estimated MOS %.2f is below %.1f", mos, MOS_LOW)));
            } else if (mosLow && mos >= MOS_LOW + MOS_HYSTERESIS) {
                mosLow = false;
            }
        }
        if (!lossHigh && fractionLost > LOSS_HIGH) {
            lossHigh = true;
            out.add(alert(sessionId, QualityAlert.Kind.LOSS_HIGH, fractionLost, String.format(java.util.Locale.ROOT,
                    "%.1f %% of packets lost", 100 * fractionLost)));
        } else if (lossHigh && fractionLost <= LOSS_HIGH - LOSS_HYSTERESIS) {
            lossHigh = false;
        }
        if (relayed && !this.relayed) {
            out.add(alert(sessionId, QualityAlert.Kind.RELAYED, 0, "media goes through a TURN relay"));
        }
        this.relayed = relayed;
        if (wasAlerting && !alerting()) {
            out.add(alert(sessionId, QualityAlert.Kind.RECOVERED, mos, "quality back to normal"));
        }
        return out;
    }

    private boolean alerting() {
        return mosLow || lossHigh || relayed;
    }

    private static QualityAlert alert(String sessionId, QualityAlert.Kind kind, double value, String detail) {
        return QualityAlert.newBuilder().setSessionId(sessionId).setKind(kind).setValue(value).setDetail(detail).build();
    }
}
