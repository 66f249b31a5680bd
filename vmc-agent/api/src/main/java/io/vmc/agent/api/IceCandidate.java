package io.vmc.agent.api;

import java.util.Objects;

/**
 * One trickle ICE candidate (RFC 8838), or the end-of-candidates marker.
 *
 * <pre>{@code
 * call.onLocalCandidate(c -> sip.sendInfo(c.isEndOfCandidates() ? "end" : c.candidate()));
 * call.addRemoteCandidate(IceCandidate.of("1 1 udp 2130706431 10.0.0.7 40000 typ host", "0", 0));
 * call.addRemoteCandidate(IceCandidate.endOfCandidates());
 * }</pre>
 */
public final class IceCandidate {
    /** Longest accepted candidate attribute value. */
    public static final int MAX_CANDIDATE_LENGTH = 1024;

    private final String candidate;
    private final String mid;
    private final int mLineIndex;

    private IceCandidate(String candidate, String mid, int mLineIndex) {
        this.candidate = candidate;
        this.mid = mid;
        this.mLineIndex = mLineIndex;
    }

    /**
     * @param candidate value of an {@code a=candidate} line without the {@code "a=candidate:"} or
     *     {@code "candidate:"} prefix
     * @param mid the media stream's {@code a=mid}, may be empty
     * @param mLineIndex index of the m-line, from 0
     */
    public static IceCandidate of(String candidate, String mid, int mLineIndex) {
        Objects.requireNonNull(candidate, "candidate must not be null");
        Objects.requireNonNull(mid, "mid must not be null");
        String c = candidate.strip();
        if (c.startsWith("a=")) {
            c = c.substring(2);
        }
        if (c.startsWith("candidate:")) {
            c = c.substring("candidate:".length());
        }
        if (c.isEmpty()) {
            throw new IllegalArgumentException("candidate must not be empty (use IceCandidate.endOfCandidates())");
        }
        if (c.length() > MAX_CANDIDATE_LENGTH) {
            throw new IllegalArgumentException("candidate must be at most " + MAX_CANDIDATE_LENGTH
                    + " characters, was " + c.length());
        }
        if (c.chars().anyMatch(ch -> ch == '\r' || ch == '\n')) {
            throw new IllegalArgumentException("candidate must be a single line");
        }
        if (mid.length() > 64) {
            throw new IllegalArgumentException("mid must be at most 64 characters, was " + mid.length());
        }
        if (mLineIndex < 0 || mLineIndex > 63) {
            throw new IllegalArgumentException("mLineIndex must be in 0..63, was " + mLineIndex);
        }
        return new IceCandidate(c, mid, mLineIndex);
    }

    /** The marker sent after the last candidate. */
    public static IceCandidate endOfCandidates() {
        return new IceCandidate("", "", 0);
    }

    /** The candidate attribute value; empty for the end-of-candidates marker. */
    public String candidate() {
        return candidate;
    }

    public String mid() {
        return mid;
    }

    public int mLineIndex() {
        return mLineIndex;
    }

    public boolean isEndOfCandidates() {
        return candidate.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IceCandidate c && c.candidate.equals(candidate) && c.mid.equals(mid) && c.mLineIndex == mLineIndex;
    }

    @Override
    public int hashCode() {
        return Objects.hash(candidate, mid, mLineIndex);
    }

    @Override
    public String toString() {
        return isEndOfCandidates() ? "IceCandidate{end-of-candidates}"
                : "IceCandidate{" + candidate + ", mid=" + mid + ", mLineIndex=" + mLineIndex + "}";
    }
}
