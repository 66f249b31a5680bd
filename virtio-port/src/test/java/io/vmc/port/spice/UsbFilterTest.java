package io.vmc.port.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class UsbFilterTest {

    @Test
    void readsRemoteViewersDefaultAndDecidesByTheFirstMatchingRule() {
        UsbFilter f = UsbFilter.parse("0x03,-1,-1,-1,0|-1,-1,-1,-1,1");
        assertThat(f.rules()).hasSize(2);
        assertThat(f.allows(0x03, 0x046d, 0xc52b, 0x1201)).as("a keyboard stays here").isFalse();
        assertThat(f.allows(0x08, 0x0781, 0x5567, 0x0100)).as("a USB stick goes to the VM").isTrue();
        assertThat(f.toString()).isEqualTo("0x03,-1,-1,-1,0|-1,-1,-1,-1,1");
        assertThat(UsbFilter.parse(f.toString())).isEqualTo(f);
    }

    @Test
    void takesDecimalAndHexAndSpacesAroundFields() {
        UsbFilter f = UsbFilter.parse(" 8, 0x0781 ,21863,-1,1 ");
        assertThat(f.rules().get(0)).isEqualTo(new UsbFilter.Rule(8, 0x0781, 0x5567, -1, true));
        assertThat(f.allows(8, 0x0781, 0x5567, 7)).isTrue();
        assertThat(f.allows(8, 0x0781, 0x5568, 7)).as("no rule matches: stays here").isFalse();
    }

    @Test
    void aDeviceOptionIsOneAllowRule() {
        UsbFilter d = UsbFilter.parseDevice("046d:C52B");
        assertThat(d.toString()).isEqualTo("-1,0x046d,0xc52b,-1,1");
        assertThat(d.then(UsbFilter.parse("-1,-1,-1,-1,0")).rules()).hasSize(2);
        assertThatThrownBy(() -> UsbFilter.parseDevice("46d:c52b")).hasMessageContaining("VID:PID in hex");
        assertThatThrownBy(() -> UsbFilter.parseDevice("046d-c52b")).hasMessageContaining("VID:PID in hex");
        assertThatThrownBy(() -> UsbFilter.parseDevice("zzzz:c52b")).hasMessageContaining("VID:PID in hex");
    }

    @Test
    void badFiltersGetAMessageSayingWhereAndWhat() {
        assertThatThrownBy(() -> UsbFilter.parse("")).hasMessage("USB filter is empty");
        assertThatThrownBy(() -> UsbFilter.parse("-1,-1,-1,-1")).hasMessageContaining("rule 1").hasMessageContaining("5 fields), got 4");
        assertThatThrownBy(() -> UsbFilter.parse("-1,-1,-1,-1,1|0x100,-1,-1,-1,1")).hasMessageContaining("rule 2")
                .hasMessageContaining("class 256 is outside 0..255");
        assertThatThrownBy(() -> UsbFilter.parse("-1,0x10000,-1,-1,1")).hasMessageContaining("vendor 65536 is outside 0..65535");
        assertThatThrownBy(() -> UsbFilter.parse("-1,-1,-1,-1,2")).hasMessageContaining("allow 2 is outside 0..1");
        assertThatThrownBy(() -> UsbFilter.parse("-1,-2,-1,-1,1")).hasMessageContaining("vendor must be -1, a decimal or a 0x hex number");
        assertThatThrownBy(() -> UsbFilter.parse("-1,abc,-1,-1,1")).hasMessageContaining("got \"abc\"");
        assertThatThrownBy(() -> UsbFilter.parse("-1,99999999999,-1,-1,1")).hasMessageContaining("vendor");
        assertThatThrownBy(() -> UsbFilter.parse("-1,-1,-1,-1,1|")).hasMessageContaining("rule 2");
        assertThatThrownBy(() -> UsbFilter.parse("-1,-1,-1,-1,1,1")).hasMessageContaining("got 6");
    }

    @Test
    void hostileInputIsRefusedWithinTheLimits() {
        assertThatThrownBy(() -> UsbFilter.parse("-1,-1,-1,-1,1|".repeat(UsbFilter.MAX_RULES) + "-1,-1,-1,-1,1"))
                .hasMessageContaining("more than the allowed maximum (" + UsbFilter.MAX_RULES + ")");
        assertThatThrownBy(() -> UsbFilter.parse("1".repeat(UsbFilter.MAX_CHARS + 1)))
                .hasMessageContaining("more than the allowed maximum (" + UsbFilter.MAX_CHARS + ")");
        assertThatThrownBy(() -> UsbFilter.parse("-1,-1\u0000,-1,-1,1")).hasMessageContaining("-1?");
        assertThatThrownBy(() -> UsbFilter.parse("\u00ff\u00fe,-1,-1,-1,1")).isInstanceOf(IllegalArgumentException.class);
        Random r = new Random(19);
        String alphabet = "0123456789abcdefxX,|- \u0000\n";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int n = r.nextInt(60); n > 0; n--) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            try {
                UsbFilter f = UsbFilter.parse(b.toString());
                assertThat(UsbFilter.parse(f.toString())).isEqualTo(f); // what it accepts, it writes back the same
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).startsWith("USB filter");
            }
        }
    }
}
