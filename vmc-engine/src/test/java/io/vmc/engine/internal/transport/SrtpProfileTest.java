package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SrtpProfileTest {
    @Test
    void codePointsAndLengths() {
        assertThat(SrtpProfile.AES_CM_128_HMAC_SHA1_80.id()).isEqualTo(0x0001); // RFC 5764 section 4.1.2
        assertThat(SrtpProfile.AEAD_AES_128_GCM.id()).isEqualTo(0x0007); // RFC 7714 section 14.2
        assertThat(SrtpProfile.AES_CM_128_HMAC_SHA1_80.keyingMaterialBytes()).isEqualTo(60);
        assertThat(SrtpProfile.AEAD_AES_128_GCM.keyingMaterialBytes()).isEqualTo(56);
    }

    @Test
    void splitFollowsRfc5764Layout() {
        byte[] m = new byte[60];
        for (int i = 0; i < m.length; i++) m[i] = (byte) i;
        SrtpKeys client = SrtpProfile.AES_CM_128_HMAC_SHA1_80.split(m, DtlsRole.CLIENT);
        // client key 0..15, server key 16..31, client salt 32..45, server salt 46..59
        assertThat(client.localKeyAndSalt()).isEqualTo(concat(range(0, 16), range(32, 46)));
        assertThat(client.remoteKeyAndSalt()).isEqualTo(concat(range(16, 32), range(46, 60)));
        SrtpKeys server = SrtpProfile.AES_CM_128_HMAC_SHA1_80.split(m, DtlsRole.SERVER);
        assertThat(server.localKeyAndSalt()).isEqualTo(client.remoteKeyAndSalt());
        assertThat(server.remoteKeyAndSalt()).isEqualTo(client.localKeyAndSalt());
        byte[] g = java.util.Arrays.copyOf(m, 56);
        SrtpKeys gc = SrtpProfile.AEAD_AES_128_GCM.split(g, DtlsRole.CLIENT);
        assertThat(gc.localKeyAndSalt()).isEqualTo(concat(range(0, 16), range(32, 44)));
        assertThat(gc.remoteKeyAndSalt()).isEqualTo(concat(range(16, 32), range(44, 56)));
        assertThat(gc.toString()).doesNotContain("0,");
        assertThatThrownBy(() -> SrtpProfile.AEAD_AES_128_GCM.split(m, DtlsRole.CLIENT)).hasMessageContaining("needs 56");
    }

    @Test
    void chooseTakesOurPreference() {
        List<SrtpProfile> ours = SrtpProfile.DEFAULT_PREFERENCE;
        assertThat(SrtpProfile.choose(ours, new int[] {0x0001, 0x0007})).contains(SrtpProfile.AEAD_AES_128_GCM);
        assertThat(SrtpProfile.choose(ours, new int[] {0x0002, 0x0001})).contains(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
        assertThat(SrtpProfile.choose(ours, new int[] {0x0002, 0x0008})).isEqualTo(Optional.empty());
        assertThat(SrtpProfile.choose(ours, new int[0])).isEmpty();
        assertThat(SrtpProfile.byId(0x0007)).contains(SrtpProfile.AEAD_AES_128_GCM);
        assertThat(SrtpProfile.byId(0xffff)).isEmpty();
    }

    private static byte[] range(int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (from + i);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
