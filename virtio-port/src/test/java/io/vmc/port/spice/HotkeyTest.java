package io.vmc.port.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class HotkeyTest {

    @Test
    void readsVirtViewersSyntax() {
        Hotkey k = Hotkey.parse("Shift+F11");
        assertThat(k.shift()).isTrue();
        assertThat(k.ctrl()).isFalse();
        assertThat(k.key()).isEqualTo("F11");
        assertThat(k.gdkName()).isEqualTo("F11");
        assertThat(k.toString()).isEqualTo("shift+f11");
        assertThat(Hotkey.parse("ctrl+alt+end").grabSequence()).isEqualTo("Control_L+Alt_L+End");
        assertThat(Hotkey.parse("Ctrl+Alt+Ins").gdkName()).isEqualTo("Insert");
        assertThat(Hotkey.parse("ctrl+alt+r").gdkName()).isEqualTo("r");
        assertThat(Hotkey.parse("f12").gdkName()).isEqualTo("F12");
        Hotkey release = Hotkey.parse("ctrl+alt");
        assertThat(release.key()).isNull();
        assertThat(release.grabSequence()).isEqualTo("Control_L+Alt_L");
        assertThat(release.toString()).isEqualTo("ctrl+alt");
        assertThat(Hotkey.parse(" control + SHIFT + a ")).isEqualTo(Hotkey.parse("ctrl+shift+a"));
    }

    @Test
    void badHotkeysSayWhatIsWrong() {
        assertThatThrownBy(() -> Hotkey.parse("")).hasMessage("hotkey is empty");
        assertThatThrownBy(() -> Hotkey.parse("ctrl+a+b")).hasMessageContaining("names two keys");
        assertThatThrownBy(() -> Hotkey.parse("ctrl+")).hasMessageContaining("is not a key name");
        assertThatThrownBy(() -> Hotkey.parse("ctrl+\u0000")).hasMessageContaining("\"?\" is not a key name");
        assertThatThrownBy(() -> Hotkey.parse("x".repeat(Hotkey.MAX_CHARS + 1))).hasMessageContaining("allowed maximum");
        assertThatThrownBy(() -> Hotkey.parse("ctrl+alt+f11+f12")).hasMessageContaining("names two keys");
        assertThatThrownBy(() -> SpiceOptions.builder("spice://h:1").toggleFullscreenKey(Hotkey.parse("ctrl+alt")))
                .hasMessageContaining("must name a key");
    }
}
