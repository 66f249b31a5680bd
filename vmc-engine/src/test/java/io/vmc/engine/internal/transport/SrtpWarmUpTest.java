package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.sdp.Crypto;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jitsi.srtp.SrtpErrorStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine's SRTP warm-up (run at engine start) round-trips both suites and leaves jitsi-srtp
 * working for the calls after it. What it saves, the first call's wait for jitsi-srtp's choice of
 * AES implementation, is measured in docs/benchmarks.md, not here.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SrtpWarmUpTest {
    @Test
    void theWarmUpRoundTripsBothSuitesAndCallsWorkAfterIt() throws Exception {
        assertThat(SrtpContext.warmUp()).isPositive();
        for (String suite : new String[] {Crypto.AES_CM_128_HMAC_SHA1_80, SrtpContext.AEAD_AES_128_GCM}) {
            byte[] key = new byte[SrtpContext.KEY_BYTES + SrtpContext.saltBytes(suite)];
            new Random(7).nextBytes(key);
            byte[] rtp = {(byte) 0x80, 111, 0, 9, 0, 0, 0, 20, 0, 0, 0, 5, 42, 43};
            try (SrtpContext a = new SrtpContext(suite, key, key); SrtpContext b = new SrtpContext(suite, key, key)) {
                SrtpContext.Buf p = a.protectRtp(new SrtpContext.Buf(rtp, 0, rtp.length, 32), 5);
                assertThat(p.getLength()).isGreaterThan(rtp.length);
                assertThat(b.unprotectRtp(p, 5)).isEqualTo(SrtpErrorStatus.OK);
            }
        }
    }
}
