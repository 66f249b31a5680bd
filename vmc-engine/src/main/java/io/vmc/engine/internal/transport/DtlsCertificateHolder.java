package io.vmc.engine.internal.transport;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One DTLS certificate per engine, made at engine start and replaced once it is older than
 * {@link #RENEW_AFTER}. Kept in memory only: a restarted engine has a new identity. Thread-safe.
 */
public final class DtlsCertificateHolder {
    /**
     * Age at which the next call gets a new certificate. A long-lived fingerprint would follow the
     * thin client from call to call (browsers make one per peer connection); a week bounds that
     * while keeping the key generation (about a millisecond) off the call path.
     */
    public static final Duration RENEW_AFTER = Duration.ofDays(7);

    private final Clock clock;
    private final SecureRandom random;
    private DtlsCertificate current;

    public DtlsCertificateHolder(Clock clock, SecureRandom random) {
        this.clock = clock;
        this.random = random;
        this.current = DtlsCertificate.generate(clock.instant(), random);
    }

    public DtlsCertificateHolder() {
        this(Clock.systemUTC(), new SecureRandom());
    }

    /** The certificate for a new call: the current one, or a new one if it has reached {@link #RENEW_AFTER}. */
    public synchronized DtlsCertificate current() {
        Instant now = clock.instant();
        if (!now.isBefore(current.created().plus(RENEW_AFTER))) {
            current = DtlsCertificate.generate(now, random);
        }
        return current;
    }
}
