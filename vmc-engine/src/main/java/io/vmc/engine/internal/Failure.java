package io.vmc.engine.internal;

/**
 * Why something in a call did not work, in the bounded set of categories the fleet metrics count
 * ({@code vmc_engine_failures_total{reason}}) and the call-detail record names. One event counts
 * once, whether it ended the call (ICE failed) or only cost part of it (a TURN server refused, the
 * camera was denied, video lost its pipeline).
 */
public enum Failure {
    /** ICE checks failed, consent expired, or an ICE restart failed. */
    ICE("ice"),
    /** A TURN server gave no relayed candidate (relay-only calls then cannot connect). */
    TURN("turn"),
    /** Keys could not be agreed (SDES mismatch, DTLS handshake) for the SRTP the session requires. */
    DTLS_SRTP("dtls_srtp"),
    /** The user denied the camera, or the prompt timed out or could not be shown. */
    CAMERA("camera"),
    /** The client policy refused what the session asked for (codecs, video, camera). */
    POLICY("policy"),
    /** A GStreamer pipeline could not be built or reported an error, or no usable codec exists. */
    MEDIA("media");

    private final String label;

    Failure(String label) {
        this.label = label;
    }

    /** The metric label and record value: lower case, stable. */
    public String label() {
        return label;
    }
}
