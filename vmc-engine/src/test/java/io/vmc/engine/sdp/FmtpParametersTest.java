package io.vmc.engine.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link SdpParser#parseFmtpParameters}: what real phones send, and what a hostile one could. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FmtpParametersTest {
    @Test
    void parsesWhatBrowsersAndPhonesSend() {
        assertThat(SdpParser.parseFmtpParameters("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", 32))
                .containsExactly(Map.entry("level-asymmetry-allowed", "1"), Map.entry("packetization-mode", "1"),
                        Map.entry("profile-level-id", "42e01f"));
        // names are case-insensitive, blanks around separators are tolerated, empty segments skipped
        assertThat(SdpParser.parseFmtpParameters(" Packetization-Mode = 1 ;; PROFILE-LEVEL-ID=42E01F; ", 32))
                .containsExactly(Map.entry("packetization-mode", "1"), Map.entry("profile-level-id", "42E01F"));
        // telephone-event style values without a name
        assertThat(SdpParser.parseFmtpParameters("0-15", 32)).containsExactly(Map.entry("0-15", ""));
        assertThat(SdpParser.parseFmtpParameters("", 32)).isEmpty();
        assertThat(SdpParser.parseFmtpParameters(null, 32)).isEmpty();
        // sprop-parameter-sets carries base64 with '=' padding: only the first '=' splits
        assertThat(SdpParser.parseFmtpParameters("sprop-parameter-sets=Z0LgH9oCgPaEAAADAAQAAAMA8DxgyoA=,aM48gA==", 32))
                .containsEntry("sprop-parameter-sets", "Z0LgH9oCgPaEAAADAAQAAAMA8DxgyoA=,aM48gA==");
    }

    @Test
    void refusesAmbiguousOrOversizedParameterLists() {
        assertThatThrownBy(() -> SdpParser.parseFmtpParameters("packetization-mode=1;PACKETIZATION-MODE=0", 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("repeats parameter \"packetization-mode\"");
        assertThatThrownBy(() -> SdpParser.parseFmtpParameters("x=1;x=2", 32))
                .hasMessageContaining("repeats");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 33; i++) many.append("p").append(i).append("=1;");
        assertThatThrownBy(() -> SdpParser.parseFmtpParameters(many.toString(), 32)).hasMessageContaining("more than 32 parameters");
        assertThatThrownBy(() -> SdpParser.parseFmtpParameters("x=" + "9".repeat(5000), 32)).hasMessageContaining("longer than");
    }

    @Test
    void randomInputEitherParsesOrFailsWithIllegalArgument() {
        Random r = new Random(7);
        String alphabet = "=;; ,-0123456789abcdefxyzABC\u0000\u00e9\uffff\t";
        for (int i = 0; i < 20000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(80);
            for (int k = 0; k < n; k++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            try {
                Map<String, String> m = SdpParser.parseFmtpParameters(sb.toString(), 8);
                assertThat(m.size()).isLessThanOrEqualTo(8);
            } catch (IllegalArgumentException expected) {
                // refused, named
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
