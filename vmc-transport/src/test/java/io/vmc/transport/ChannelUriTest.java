package io.vmc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ChannelUriTest {
    @Test
    void parsesEveryForm() {
        assertThat(ChannelUri.parse("unix:/run/vmc.sock")).satisfies(u -> {
            assertThat(u.kind()).isEqualTo(ChannelUri.Kind.UNIX);
            assertThat(u.path()).isEqualTo("/run/vmc.sock");
            assertThat(u.isListen()).isFalse();
        });
        assertThat(ChannelUri.parse("unix-listen:rel/x.sock").kind()).isEqualTo(ChannelUri.Kind.UNIX_LISTEN);
        assertThat(ChannelUri.parse("tcp:127.0.0.1:4000")).satisfies(u -> {
            assertThat(u.host()).isEqualTo("127.0.0.1");
            assertThat(u.port()).isEqualTo(4000);
        });
        assertThat(ChannelUri.parse("tcp-listen:[::1]:0")).satisfies(u -> {
            assertThat(u.host()).isEqualTo("::1");
            assertThat(u.port()).isZero();
            assertThat(u.toString()).isEqualTo("tcp-listen:[::1]:0");
        });
        assertThat(ChannelUri.parse("mem:a").kind()).isEqualTo(ChannelUri.Kind.MEM);
        assertThat(ChannelUri.parse("mem-listen:a").isListen()).isTrue();
        assertThat(ChannelUri.parse("virtio:org.spice-space.vmc.0").path()).isEqualTo("org.spice-space.vmc.0");
        assertThat(ChannelUri.parse("UNIX:/x")).isEqualTo(ChannelUri.parse("unix:/x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "nocolon", ":x", "unix:", "tcp:host", "tcp:host:", "tcp:host:70000", "tcp:host:0",
        "tcp:host:abc", "tcp:::1:5", "gopher:x", "tcp-listen:h:-1"})
    void rejectsWithAMessageNamingTheForms(String bad) {
        assertThatThrownBy(() -> ChannelUri.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad channel URI").hasMessageContaining("unix:PATH");
    }
}
