package io.vmc.agent.api;

/**
 * Whether media must be encrypted.
 *
 * <pre>{@code
 * SessionOptions legacy = SessionOptions.builder().audio(true).srtp(SrtpPolicy.OPTIONAL).build();
 * }</pre>
 */
public enum SrtpPolicy {
    /** Offer RTP/SAVP only (default). */
    REQUIRED,
    /** Accept a plain RTP answer; stats then report {@code encrypted=false}. */
    OPTIONAL,
    /** Plain RTP, for legacy phones and interop tests. */
    DISABLED
}
